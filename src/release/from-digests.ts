import { throwIfAborted } from '../copy/errors.js';
import { ErrorCode, GantryError } from '../errors.js';
import type { IndexAnnotations } from '../index-create/annotations.js';
import { createIndexFrom, indexOver } from '../index-create/create.js';
import { gatherEntries } from '../index-create/entries.js';
import { metadataReference, readMetadataFile } from '../index-create/sources.js';
import type { Descriptor } from '../oci/descriptor.js';
import { platformToString } from '../oci/platform.js';
import type { RegistryClient } from '../registry/client.js';
import { currentTags, openDestination } from './execute-targets.js';
import type { BuiltReleaseImage, ReleaseEvent } from './execute-types.js';
import { comparePlan, writesTag } from './plan-diff.js';
import type { ReleasePlan } from './plan-types.js';
import { RECORD_FORMAT, type RecordedTag, type ReleaseRecord } from './record.js';

/**
 * `gantry release --from-digests FILE...`: the base image is not built
 * here but assembled from platform images other machines pushed by digest
 * (`gantry build --push-by-digest REPO --metadata-file FILE`, one file per
 * machine). In each destination the platform images are copied in, one
 * OCI index over them is written with the plan's index and descriptor
 * annotations, and then the plan's tags in its order, as `gantry release`
 * does. Scope: the base image only. Variants would need the base's files,
 * which live on the other machines, so a release file with variants is
 * refused; labels and manifest-level annotations belong in the builds
 * (their configs and manifests are fixed by their digests).
 *
 * `signal` stops it between steps and inside the copies, as it stops a
 * built release: the index is pushed before any tag, so every tag written
 * names complete content, and `onEvent` has reported each tag written or
 * left, which is what the record of an interrupted run holds
 * (RecordTally).
 */
export async function releaseFromDigests(
  plan: ReleasePlan,
  metadataFiles: readonly string[],
  options: {
    client: RegistryClient;
    onEvent?: (message: string) => void;
    /** Each tag written (`tagged`) or left as it is (`stays`), as it happens. */
    onTag?: (event: Extract<ReleaseEvent, { type: 'tagged' | 'stays' }>) => void;
    /** Move tags whose image carries a newer version too (plan-hold.ts). */
    allowDowngrade?: boolean;
    /** Stops the release between steps (GANTRY_E_ABORTED). */
    signal?: AbortSignal;
  },
): Promise<ReleaseRecord> {
  const { signal } = options;
  const started = Date.now();
  const base = onlyBase(plan);
  const sources = await platformSources(plan, metadataFiles);
  const annotations = annotationsOf(base);

  const destinations: ReleaseRecord['destinations'] = [];
  const targets = new Map<string, Awaited<ReturnType<typeof openDestination>>>();
  let assembled: Awaited<ReturnType<typeof createIndexFrom>> | undefined;
  let diff: Awaited<ReturnType<typeof comparePlan>>;
  let built = 0;
  let compared = 0;
  const tags: RecordedTag[] = [];
  try {
    for (const destination of plan.destinations) {
      throwIfAborted(signal);
      const target = await openDestination(destination, options.client);
      targets.set(destination.name, target);
      const pushStart = Date.now();
      assembled = await createIndexFrom(sources, target, {
        client: options.client,
        annotations,
        ...(signal === undefined ? {} : { signal }),
      });
      const { uploaded, bytes, mounted, skipped } = assembled.stats;
      destinations.push({
        name: destination.name,
        kind: destination.kind,
        uploaded: { blobs: uploaded, bytes, mounted, skipped },
        timings: { pushMs: Date.now() - pushStart, tagMs: 0 },
      });
      options.onEvent?.(
        `assembled ${base.name} ${assembled.digest} in ${destination.name}`,
      );
    }
    if (assembled === undefined) throw noDestination();
    built = Date.now();

    const digest = assembled.digest;
    const planned = new Map([[base.name, digest]]);
    diff = await comparePlan(plan, currentTags(options.client), {
      planned,
      allowDowngrade: options.allowDowngrade === true,
    });
    compared = Date.now();
    throwIfAborted(signal);

    let sequence = 0;
    for (const change of diff.changes) {
      const target = targets.get(change.destination)!;
      const record = destinations.find((d) => d.name === change.destination)!;
      const tagStart = Date.now();
      const written = writesTag(change);
      if (written) {
        throwIfAborted(signal);
        const descriptor = await target.resolve(digest.toString());
        await target.tag(descriptor, change.tag);
        sequence += 1;
        options.onEvent?.(`tagged ${change.destination}:${change.tag}`);
      }
      options.onTag?.({
        type: written ? 'tagged' : 'stays',
        destination: change.destination,
        change,
      });
      record.timings.tagMs += Date.now() - tagStart;
      tags.push({
        destination: change.destination,
        image: change.image,
        tag: change.tag,
        digest: change.change === 'held' ? change.from! : digest.toString(),
        ...(change.from === undefined ? {} : { previous: change.from }),
        change: change.change,
        ...(change.newer === undefined ? {} : { newer: change.newer }),
        ...(written ? { sequence } : {}),
      });
    }
  } finally {
    // A layout destination holds a lock until it is closed, stopped or not.
    for (const target of targets.values()) await target.close?.();
  }
  const digest = assembled.digest;

  return {
    format: RECORD_FORMAT,
    file: plan.file,
    version: plan.version.normalized,
    fromDigests: true,
    order: [...plan.order],
    images: [
      {
        name: base.name,
        digest: digest.toString(),
        mediaType: assembled.mediaType,
        platforms: platformsOf(assembled.manifests).map((entry) => ({
          platform: entry.platform,
          digest: entry.digest.toString(),
        })),
      },
    ],
    destinations,
    tags,
    counts: { ...diff.counts },
    timings: {
      startedAt: new Date(started).toISOString(),
      buildMs: built - started,
      compareMs: compared - built,
      totalMs: Date.now() - started,
    },
  };
}

/**
 * The base image `releaseFromDigests` will assemble, computed without a
 * write (for `--dry-run`): the same index over the metadata files'
 * platform images, of which only the manifests are read.
 */
export async function stageFromDigests(
  plan: ReleasePlan,
  metadataFiles: readonly string[],
  client: RegistryClient,
): Promise<BuiltReleaseImage> {
  const base = onlyBase(plan);
  const entries = await gatherEntries(await platformSources(plan, metadataFiles), client);
  const { index, manifests } = indexOver(entries, annotationsOf(base));
  return {
    name: base.name,
    digest: index.digest,
    mediaType: index.mediaType,
    platforms: platformsOf(manifests),
  };
}

/** The levels an assembled index carries; manifest level lives in the builds. */
function annotationsOf(base: ReleasePlan['images'][number]): IndexAnnotations {
  return { index: base.annotations.index, descriptor: base.annotations.descriptor };
}

function platformsOf(manifests: readonly Descriptor[]): BuiltReleaseImage['platforms'] {
  return manifests.map((m) => ({
    platform: m.platform === undefined ? 'unknown' : platformToString(m.platform),
    digest: m.digest,
  }));
}

function onlyBase(plan: ReleasePlan): ReleasePlan['images'][number] {
  const variants = plan.images.filter((image) => image.kind === 'variant');
  const base = plan.images.find((image) => image.kind === 'base');
  if (variants.length > 0 || base === undefined) {
    throw new GantryError(
      ErrorCode.ReleaseFile,
      `--from-digests assembles the base image only, but ${plan.file} has variants ` +
        variants.map((image) => image.name).join(', '),
      { hint: 'use a release file with only a base image, or build the release here' },
    );
  }
  return base;
}

/**
 * The metadata files' images, in the plan's platform order; their platforms
 * must be the plan's, each once.
 */
async function platformSources(plan: ReleasePlan, files: readonly string[]) {
  const entries = (await Promise.all(files.map(readMetadataFile))).flat();
  const found = entries.map((entry) => entry.platform).sort();
  const wanted = [...plan.platforms].sort();
  if (found.join(',') !== wanted.join(',')) {
    throw new GantryError(
      ErrorCode.ReleaseFile,
      `--from-digests files hold platforms ${found.join(', ') || 'none'}, ` +
        `but the release plans ${wanted.join(', ')}`,
      {
        hint: 'pass one metadata file per planned platform (build --push-by-digest)',
      },
    );
  }
  // The index lists platforms in the release file's order, whatever order
  // the files were given in: the same builds give the same index digest.
  const rank = (entry: (typeof entries)[number]) =>
    plan.platforms.indexOf(entry.platform);
  return [...entries].sort((a, b) => rank(a) - rank(b)).map(metadataReference);
}

function noDestination(): GantryError {
  return new GantryError(ErrorCode.ReleaseFile, 'the release has no destination', {
    hint: 'name one in the release file or with --to',
  });
}
