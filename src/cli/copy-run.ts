import type { Command } from 'commander';
import { onSide } from '../copy/errors.js';
import {
  type CopyOptions,
  type CopyResult,
  copyAllTags,
  copyImage,
} from '../copy/index.js';
import { parsePlatform } from '../oci/platform.js';
import { openTarget } from '../store/open-target.js';
import type { ReadTarget, WriteTarget } from '../store/target.js';
import type { CommandContext } from './context.js';
import type { CopyFlags } from './copy.js';
import {
  checkRepositories,
  destinationTags,
  dockerArchiveTags,
  registriesOf,
} from './copy-names.js';
import { reportCopies, watchCopy } from './copy-report.js';
import { pickImage, sourceImage } from './copy-source.js';
import type { Runner } from './main.js';
import { usageError } from './options.js';

/**
 * The body of `gantry copy` (see copy.ts), loaded only when the command runs.
 */
export async function runCopy(
  run: Runner,
  command: Command,
  names: { from: string; to: string },
  flags: CopyFlags,
): Promise<void> {
  const { from, to } = names;
  const options = copyOptions(flags);
  if (flags.allTags === true) checkRepositories(from, to);
  await run(command, registriesOf(from, to), (context) =>
    copyCommand(context, from, to, flags.allTags === true, options),
  );
}

async function copyCommand(
  context: CommandContext,
  from: string,
  to: string,
  allTags: boolean,
  options: CopyOptions,
): Promise<void> {
  const started = performance.now();
  const source = await onSide('source', undefined, () =>
    openTarget(from, { client: context.client, readOnly: true }),
  );
  let done: { destination: string; results: CopyResult[] };
  try {
    done = await copyFrom(context, { from, to, allTags }, source, options);
  } finally {
    await source.target.close?.();
  }

  reportCopies(context, {
    source: from,
    ...done,
    allTags,
    seconds: (performance.now() - started) / 1000,
  });
}

interface Opened<T extends ReadTarget> {
  target: T;
  ref: string | undefined;
}

/**
 * Checks the source first, so that a missing source leaves nothing behind
 * at the destination (not even a new, empty layout); then copies.
 */
async function copyFrom(
  context: CommandContext,
  names: { from: string; to: string; allTags: boolean },
  source: Opened<ReadTarget>,
  options: CopyOptions,
): Promise<{ destination: string; results: CopyResult[] }> {
  const image = names.allTags ? undefined : await sourceImage(source.target, source.ref);
  const destination = await onSide('destination', undefined, () =>
    openTarget(names.to, { client: context.client, create: true }),
  );

  const watch = watchCopy(context, options);
  try {
    const results =
      image === undefined
        ? await copyAllTags(source.target, destination.target, watch.options)
        : [
            await copyOne(
              names.from,
              { ...source, ref: image.image },
              destination,
              // Resolved above: the copy need not ask again.
              { ...watch.options, resolved: image.descriptor },
            ),
          ];
    await onSide('destination', undefined, async () => destination.target.close?.());
    return { destination: destination.target.description, results };
  } catch (error) {
    await closeAfterFailure(destination.target);
    throw error;
  } finally {
    watch.stop();
  }
}

async function copyOne(
  from: string,
  source: { target: ReadTarget; ref: string },
  destination: Opened<WriteTarget>,
  options: CopyOptions,
): Promise<CopyResult> {
  const sourceRef = source.ref;
  if (destination.target.kind !== 'docker-archive') {
    const subset = options.platforms !== undefined;
    const tags = destinationTags(sourceRef, destination.ref, subset);
    if (tags.length === 0 && destination.target.kind !== 'registry') {
      // A layout lists its images by name in index.json: one copied without
      // a name would be blobs nothing points at (a registry finds it by digest).
      throw usageError(
        `${destination.target.description}: the image copied has no tag ` +
          'to be listed under',
        `name one, e.g. ${destination.target.description}:1.0`,
      );
    }
    return copyImage(source.target, sourceRef, destination.target, tags, options);
  }

  const tags = dockerArchiveTags(from, sourceRef, destination.ref);
  const picked = await pickImage(source.target, sourceRef, options.platforms);
  // The image picked from an index is not what the source reference resolved to.
  const { platforms: _all, resolved, ...rest } = options;
  const result = await copyImage(
    source.target,
    picked.image,
    destination.target,
    tags,
    picked.index === undefined && resolved !== undefined ? { ...rest, resolved } : rest,
  );
  if (picked.index === undefined) return result;
  return { ...result, sourceDigest: picked.index, changed: true };
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
