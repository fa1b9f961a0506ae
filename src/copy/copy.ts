import type { Descriptor } from '../oci/descriptor.js';
import { Digest } from '../oci/digest.js';
import { isIndexType } from '../oci/mediatype.js';
import { RegistryTarget } from '../store/registry-target.js';
import type { ReadTarget, WriteTarget } from '../store/target.js';
import { onSide, throwIfAborted } from './errors.js';
import { createLimit, type Limit } from './limit.js';
import { pushManifests } from './manifests.js';
import { type CopyPlan, planCopy } from './plan.js';
import { NOT_HELD, RootCheck } from './root-check.js';
import { BlobTransfers } from './transfers.js';
import {
  type CopyEvent,
  type CopyOptions,
  type CopyResult,
  type CopyStats,
  DEFAULT_COPY_CONCURRENCY,
} from './types.js';

/**
 * Copies the image `sourceRef` names (a tag or a digest) from `source` to
 * `destination` and points each of `tags` at it. Blobs move as the plan
 * (plan.ts) reads the manifests naming them; once the plan is complete and
 * every blob is there, manifests go children first, then tags last, so
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
  const stats = emptyStats();
  const transfers = new BlobTransfers(run, stats);
  const rootHeld = new RootCheck(destination);
  const plan = await planCopy(
    {
      ...run,
      limit: run.planLimit,
      ...(options.resolved === undefined ? {} : { resolved: options.resolved }),
      onRoot: (root) => rootHeld.start(root),
      onNode: (node, fromRoot) => {
        transfers.add(node.blobs, fromRoot ? rootHeld.held : NOT_HELD);
      },
    },
    sourceRef,
    options,
  ).catch(async (error: unknown) => {
    throw await transfers.abandon(error);
  });
  Object.assign(stats, planStats(plan));
  run.emit(planEvent(plan));

  await transfers.finish();
  const held = (await rootHeld.held) ? rootHeld.subtree(plan) : new Set<string>();
  await pushManifests(run, plan, held, stats);

  const root = plan.root.descriptor;
  for (const tag of tags) {
    throwIfAborted(run.signal);
    // A registry is handed the bytes it just took, so it need not read them back.
    const bytes = plan.root.manifest.bytes;
    await onSide('destination', root.digest, () =>
      destination instanceof RegistryTarget
        ? destination.tag(root, tag, { bytes })
        : destination.tag(root, tag),
    );
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
  /** Blob transfers at once (transfers.ts). */
  concurrency: number;
  /** Manifest pushes at once. */
  limit: Limit;
  /**
   * Source reads while planning, apart from `limit`: transfers started
   * during the walk must not hold back the reads that find more of them.
   */
  planLimit: Limit;
  emit: (event: CopyEvent) => void;
  present?: ReadonlySet<string>;
  uploadSmallUnasked: boolean;
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
  const concurrency = options.concurrency ?? DEFAULT_COPY_CONCURRENCY;
  return {
    source,
    destination,
    stop,
    signal: AbortSignal.any([stop.signal, ...signals]),
    concurrency,
    limit: createLimit(concurrency),
    planLimit: createLimit(concurrency),
    emit: onEvent === undefined ? () => {} : (event) => onEvent(event),
    ...(options.present === undefined ? {} : { present: options.present }),
    uploadSmallUnasked: options.uploadSmallUnasked === true,
  };
}

function emptyStats(): CopyStats {
  const counts = { uploaded: 0, mounted: 0, skipped: 0, bytes: 0, manifests: 0 };
  return { blobs: 0, ...counts, referrers: 0 };
}

function planStats(plan: CopyPlan): Pick<CopyStats, 'blobs' | 'referrers'> {
  return { blobs: plan.blobs.length, referrers: plan.referrers };
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
