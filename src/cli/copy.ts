import type { Command } from 'commander';
import {
  type CopyOptions,
  type CopyResult,
  copyAllTags,
  copyImage,
} from '../copy/index.js';
import { onSide } from '../copy/errors.js';
import { Digest } from '../oci/digest.js';
import { parsePlatform } from '../oci/platform.js';
import { parseReference } from '../reference/index.js';
import { DOCKER_ARCHIVE_PREFIX, openTarget } from '../store/open-target.js';
import type { ReadTarget, WriteTarget } from '../store/target.js';
import { isLayoutReference, parseLayoutReference } from '../store/transport-reference.js';
import type { CommandContext } from './context.js';
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
      await run(command, registries(from, to), (context) =>
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
      : [await copyOne(source, destination, watch.options)];
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

type Opened = { target: ReadTarget | WriteTarget; ref: string | undefined };

function copyOne(
  source: Opened,
  destination: { target: WriteTarget; ref: string | undefined },
  options: CopyOptions,
): Promise<CopyResult> {
  if (source.ref === undefined) {
    throw usageError(
      `${source.target.description}: name the image to copy`,
      'add a tag or a digest, e.g. oci:PATH:TAG or oci:PATH@sha256:...',
    );
  }
  const tags = destinationTags(source.ref, destination.ref, options);
  return copyImage(source.target, source.ref, destination.target, tags, options);
}

/**
 * The tag the destination gets: its own, or else the source's tag, so that
 * `gantry copy host/app:1 oci:dir` is found in `dir` as `1`. A destination
 * named by digest gets no tag; its digest must be the source's, so it
 * cannot take a platform subset, whose digest is new.
 */
function destinationTags(
  sourceRef: string,
  destinationRef: string | undefined,
  options: CopyOptions,
): string[] {
  if (destinationRef !== undefined && isDigest(destinationRef)) {
    if (options.platforms !== undefined) {
      throw usageError(
        'a platform subset is a new index with a new digest',
        'name the destination by a tag, not by a digest',
      );
    }
    return [];
  }
  if (destinationRef !== undefined) return [destinationRef];
  return isDigest(sourceRef) ? [] : [sourceRef];
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

/** The registries SRC and DST name: explicit credentials apply to them only. */
function registries(...texts: string[]): string[] {
  return texts
    .filter((text) => !isLayoutReference(text) && !text.startsWith(DOCKER_ARCHIVE_PREFIX))
    .map((text) => parseReference(text).registry);
}

/** With `--all-tags` both sides name a repository: no tag, no digest. */
function checkRepositories(...texts: string[]): void {
  for (const text of texts) {
    if (namesRepository(text)) continue;
    throw usageError(
      `--all-tags copies a whole repository, but "${text}" names one image`,
      'drop the tag or digest, e.g. gantry copy --all-tags host/app mirror/app',
    );
  }
}

function namesRepository(text: string): boolean {
  if (text.startsWith(DOCKER_ARCHIVE_PREFIX)) return true;
  if (isLayoutReference(text)) {
    const ref = parseLayoutReference(text);
    return ref.tag === undefined && ref.digest === undefined;
  }
  const lastPart = text.slice(text.lastIndexOf('/') + 1);
  return !lastPart.includes(':') && !lastPart.includes('@');
}

function isDigest(ref: string): boolean {
  return Digest.isValid(ref);
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
