import type { Descriptor } from '../oci/descriptor.js';
import { Digest } from '../oci/digest.js';
import { isIndexType } from '../oci/mediatype.js';
import type { ReadTarget, WriteTarget } from '../store/target.js';
import { copyBlob } from './blobs.js';
import { onSide, throwIfAborted } from './errors.js';
import { createLimit, settleAll } from './limit.js';
import { type CopyPlan, planCopy } from './plan.js';
import {
  type CopyEvent,
  type CopyOptions,
  type CopyResult,
  type CopyStats,
  DEFAULT_COPY_CONCURRENCY,
} from './types.js';

/**
 * Copies the image `sourceRef` names (a tag or a digest) from `source` to
 * `destination` and points each of `tags` at it. The plan is made first
 * (plan.ts); then blobs, then manifests children first, then tags last, so
 * whatever fails or is interrupted, no destination tag names a manifest
 * whose children are missing, and running the copy again finishes it.
 * Manifests are pushed as the source's exact bytes: the digest does not
 * change unless a platform subset was asked for (`result.changed`).
 *
 * The destination is not closed here: archives are written when the caller
 * closes them, after its last copy.
 */
export async function copyImage(
  source: ReadTarget,
  sourceRef: string,
  destination: WriteTarget,
  tags: string[],
  options: CopyOptions = {},
): Promise<CopyResult> {
  const run = startRun(source, destination, options);
  const plan = await planCopy(run, sourceRef, options);
  const stats = emptyStats(plan);
  run.emit(planEvent(plan));

  await copyBlobs(run, plan, stats);
  // TODO(perf): manifests go one at a time; siblings could go in parallel.
  for (const node of plan.manifests) {
    throwIfAborted(run.signal);
    const { descriptor } = node;
    await onSide('destination', descriptor.digest, () =>
      destination.push(descriptor, node.manifest.bytes),
    );
    stats.manifests++;
    run.emit({ type: 'manifest', ...pick(descriptor) });
  }

  const root = plan.root.descriptor;
  for (const tag of tags) {
    throwIfAborted(run.signal);
    await onSide('destination', root.digest, () => destination.tag(root, tag));
    run.emit({ type: 'tag', tag, digest: root.digest });
  }
  return {
    sourceDigest: plan.sourceDigest,
    ...pick(root),
    changed: !root.digest.equals(plan.sourceDigest),
    tags: [...tags],
    stats,
  };
}

/**
 * Copies every tag of `source` under the same name, one after another
 * (blobs and manifests shared between tags are found present and skipped).
 * Tags of the referrers tag schema that hold an index (`sha256-<hex>`,
 * distribution-spec v1.1, "Referrers Tag Schema") are not copied: the
 * referrers they list are copied with their subjects, and the destination
 * keeps its own list, which a copy of the source's would overwrite.
 */
export async function copyAllTags(
  source: ReadTarget,
  destination: WriteTarget,
  options: CopyOptions = {},
): Promise<CopyResult[]> {
  const tags = await onSide('source', undefined, () => source.tags());
  const results: CopyResult[] = [];
  for (const tag of tags) {
    throwIfAborted(options.signal);
    if (await isReferrersIndexTag(source, tag)) continue;
    results.push(await copyImage(source, tag, destination, [tag], options));
  }
  return results;
}

/** `<alg>-<hex>` naming an index: the shape of a tag-schema referrers list. */
const REFERRERS_TAG_PATTERN = /^([a-z0-9]+)-([a-f0-9]{32,})$/;

async function isReferrersIndexTag(source: ReadTarget, tag: string): Promise<boolean> {
  const match = REFERRERS_TAG_PATTERN.exec(tag);
  if (match === null || !Digest.isValid(`${match[1]}:${match[2]}`)) return false;
  const descriptor = await onSide('source', undefined, () => source.resolve(tag));
  return isIndexType(descriptor.mediaType);
}

interface Run {
  source: ReadTarget;
  destination: WriteTarget;
  signal: AbortSignal;
  /** Stops the other transfers when one fails. */
  stop: AbortController;
  limit: ReturnType<typeof createLimit>;
  emit: (event: CopyEvent) => void;
}

function startRun(
  source: ReadTarget,
  destination: WriteTarget,
  options: CopyOptions,
): Run {
  throwIfAborted(options.signal);
  const stop = new AbortController();
  const signals = options.signal === undefined ? [] : [options.signal];
  const onEvent = options.onEvent;
  return {
    source,
    destination,
    stop,
    signal: AbortSignal.any([stop.signal, ...signals]),
    limit: createLimit(options.concurrency ?? DEFAULT_COPY_CONCURRENCY),
    emit: onEvent === undefined ? () => {} : (event) => onEvent(event),
  };
}

async function copyBlobs(run: Run, plan: CopyPlan, stats: CopyStats): Promise<void> {
  const tasks = plan.blobs.map((blob) =>
    run.limit(async () => {
      throwIfAborted(run.signal);
      const how = await copyBlob(run, blob);
      stats[how]++;
      if (how === 'uploaded') stats.bytes += blob.size;
    }),
  );
  await settleAll(tasks, (error) => run.stop.abort(error));
}

function emptyStats(plan: CopyPlan): CopyStats {
  const counts = { uploaded: 0, mounted: 0, skipped: 0, bytes: 0, manifests: 0 };
  return { blobs: plan.blobs.length, ...counts, referrers: plan.referrers };
}

function planEvent(plan: CopyPlan): CopyEvent {
  return {
    type: 'plan',
    root: plan.root.descriptor.digest,
    manifests: plan.manifests.length,
    blobs: plan.blobs.length,
    bytes: plan.blobs.reduce((sum, blob) => sum + blob.size, 0),
    referrers: plan.referrers,
  };
}

function pick(descriptor: Descriptor) {
  const { digest, mediaType, size } = descriptor;
  return { digest, mediaType, size };
}
