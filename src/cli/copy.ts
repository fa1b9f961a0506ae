import type { Command } from 'commander';
import {
  type CopyOptions,
  type CopyResult,
  copyAllTags,
  copyImage,
} from '../copy/index.js';
import { onSide } from '../copy/errors.js';
import { isAttestation } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { parseManifest } from '../oci/manifest.js';
import { isIndexType } from '../oci/mediatype.js';
import { type Platform, parsePlatform } from '../oci/platform.js';
import { requirePlatform } from '../oci/platform-match.js';
import { openTarget } from '../store/open-target.js';
import type { ReadTarget, WriteTarget } from '../store/target.js';
import type { CommandContext } from './context.js';
import {
  checkRepositories,
  destinationTags,
  dockerArchiveTags,
  onlyImage,
  registriesOf,
} from './copy-names.js';
import { type CopyReport, reportCopies, watchCopy } from './copy-report.js';
import type { Runner } from './main.js';
import { collect, usageError } from './options.js';

/**
 * `gantry copy SRC DST`: an image, an index with every platform and its
 * attestations and referrers, or (`--all-tags`) every tag of a repository,
 * between registries, OCI layouts and archives and docker-save archives.
 * Bytes are copied as they are, so the digest stays the source's, unless
 * `--platform` asks for a subset: then a new index is written and its new
 * digest reported (field cases BR-11, BR-13).
 */

interface CopyFlags {
  platform?: string[];
  referrers: boolean;
  allTags?: boolean;
  concurrency?: number;
}

const EXAMPLES = `
Examples:
  gantry copy registry.example.com/app:1.4.2 mirror.example.com/app:1.4.2
  gantry copy --platform linux/arm64 registry.example.com/app:1.4.2 oci:./app:1.4.2
  gantry copy oci-archive:app.tar registry.example.com/app:1.4.2
  gantry copy --all-tags registry.example.com/app mirror.example.com/app
`;

export function registerCopy(program: Command, run: Runner): void {
  program
    .command('copy')
    .description('copy an image or index byte for byte between registries and files')
    .argument('<source>', 'host/repo:tag, host/repo@digest, oci:PATH[:tag], ...')
    .argument('<destination>', 'same forms; docker-archive:FILE as well')
    .option(
      '--platform <os/arch[/variant]>',
      'copy only this platform of an index (repeatable); writes a new index',
      collect,
    )
    .option('--no-referrers', 'leave out manifests that refer to the image')
    .option('--all-tags', 'SOURCE and DESTINATION are repositories: copy every tag')
    .option('--concurrency <n>', 'blob transfers at once (default 4)', parseConcurrency)
    .addHelpText('after', EXAMPLES)
    .action(async (from: string, to: string, flags: CopyFlags, command: Command) => {
      const options = copyOptions(flags);
      if (flags.allTags === true) checkRepositories(from, to);
      await run(command, registriesOf(from, to), (context) =>
        copyCommand(context, from, to, flags.allTags === true, options),
      );
    });
}

async function copyCommand(
  context: CommandContext,
  from: string,
  to: string,
  allTags: boolean,
  options: CopyOptions,
): Promise<void> {
  const started = performance.now();
  const { client } = context;
  const source = await onSide('source', undefined, () =>
    openTarget(from, { client, readOnly: true }),
  );
  const destination = await onSide('destination', undefined, () =>
    openTarget(to, { client, create: true }),
  );

  const watch = watchCopy(context, options);
  let results: CopyResult[];
  try {
    results = allTags
      ? await copyAllTags(source.target, destination.target, watch.options)
      : [await copyOne(from, source, destination, watch.options)];
    await onSide('destination', undefined, async () => destination.target.close?.());
  } catch (error) {
    await closeAfterFailure(destination.target);
    throw error;
  } finally {
    watch.stop();
    await source.target.close?.();
  }

  const report: CopyReport = {
    source: from,
    destination: destination.target.description,
    results,
    allTags,
    seconds: (performance.now() - started) / 1000,
  };
  reportCopies(context, report);
}

interface Opened<T extends ReadTarget> {
  target: T;
  ref: string | undefined;
}

async function copyOne(
  from: string,
  source: Opened<ReadTarget>,
  destination: Opened<WriteTarget>,
  options: CopyOptions,
): Promise<CopyResult> {
  const sourceRef = source.ref ?? (await onlyImage(source.target));
  if (destination.target.kind !== 'docker-archive') {
    const subset = options.platforms !== undefined;
    const tags = destinationTags(sourceRef, destination.ref, subset);
    return copyImage(source.target, sourceRef, destination.target, tags, options);
  }

  const tags = dockerArchiveTags(from, sourceRef, destination.ref);
  const image = await pickImage(source.target, sourceRef, options.platforms);
  const { platforms: _all, ...rest } = options;
  const result = await copyImage(source.target, image, destination.target, tags, rest);
  return image === sourceRef
    ? result
    : { ...result, sourceDigest: await digestOf(source, sourceRef), changed: true };
}

/**
 * A docker-save archive has no place for an index (manifest.json lists
 * images): with one `--platform`, that platform's image of a source index
 * is copied as it is, by its digest.
 */
async function pickImage(
  source: ReadTarget,
  sourceRef: string,
  platforms: Platform[] | undefined,
): Promise<string> {
  if (platforms === undefined || platforms.length !== 1) return sourceRef;
  const descriptor = await onSide('source', undefined, () => source.resolve(sourceRef));
  if (!isIndexType(descriptor.mediaType)) return sourceRef;

  const where = `${source.description} ${sourceRef}`;
  const bytes = await onSide('source', descriptor.digest, () =>
    source.fetchBytes(descriptor),
  );
  const index = parseManifest(bytes, {
    descriptorMediaType: descriptor.mediaType,
    where,
  });
  if (index.kind !== 'index') return sourceRef;
  const images = index.manifests.filter((entry) => !isAttestation(entry));
  return requirePlatform(platforms[0]!, images, where).digest.toString();
}

async function digestOf(source: Opened<ReadTarget>, ref: string): Promise<Digest> {
  return (await source.target.resolve(ref)).digest;
}

/**
 * An archive is rewritten on close; after a failed copy it is left as it
 * was (DESIGN.md: nothing partial becomes visible). Layouts and
 * registries hold only complete content already, so they are closed.
 */
async function closeAfterFailure(target: WriteTarget): Promise<void> {
  if (target.kind === 'oci-archive' || target.kind === 'docker-archive') return;
  await target.close?.().catch(() => undefined);
}

function copyOptions(flags: CopyFlags): CopyOptions {
  return {
    referrers: flags.referrers,
    ...(flags.platform === undefined
      ? {}
      : { platforms: flags.platform.map((text) => parsePlatform(text)) }),
    ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
  };
}

function parseConcurrency(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw usageError(
      `--concurrency must be a whole number of at least 1, got "${text}"`,
      'e.g. --concurrency 8',
    );
  }
  return value;
}
