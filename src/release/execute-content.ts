import type { BuildResult } from '../build/build-image.js';
import { copyBlob } from '../copy/blobs.js';
import { onSide, throwIfAborted } from '../copy/errors.js';
import { createLimit, type Limit, settleAll } from '../copy/limit.js';
import { type CopyPlan, planCopy } from '../copy/plan.js';
import type { BlobTransfer, CopyEvent, CopyStats } from '../copy/types.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { WriteTarget } from '../store/target.js';
import type { ExecuteOptions, PushedImage } from './execute-types.js';

/**
 * One destination's content for a whole release, untagged: the distinct
 * blobs of all images at once (a blob that several images share, such as
 * a base layer, is checked and sent once), then every image's manifests,
 * children before parents, images side by side. Nothing here writes a
 * tag, so whatever fails or is interrupted, no tag reaches missing content.
 */

/**
 * Blob transfers and manifest writes in flight per destination. Pushing is
 * bound by registry round trips, not by this process's CPU: eight keeps a
 * registry busy while each request waits on the network, and the two
 * destinations of a release together stay at sixteen, well below the
 * bursts hosted registries throttle (dozens per client).
 */
export const DESTINATION_PUSH_CONCURRENCY = 8;

/** One image's copy plan from its staging; the same for every destination. */
export interface StagedImage {
  image: string;
  result: BuildResult;
  plan: CopyPlan;
}

/** Plans every image's copy from staging once (staging is memory: no requests). */
export async function planStaged(
  results: ReadonlyMap<string, BuildResult>,
  options: Pick<ExecuteOptions, 'signal'>,
): Promise<StagedImage[]> {
  const limit = createLimit(DESTINATION_PUSH_CONCURRENCY);
  const planned = [...results].map(async ([image, result]) => {
    const context = {
      source: result.staging,
      limit,
      emit: () => {},
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    // Staging's referrers are the release's own attestations (src/attest).
    const plan = await planCopy(context, `${result.root.digest}`, { referrers: true });
    return { image, result, plan };
  });
  return Promise.all(planned);
}

interface Push {
  target: WriteTarget;
  destination: string;
  signal: AbortSignal;
  stop: AbortController;
  limit: Limit;
  options: ExecuteOptions;
}

/**
 * Every image's content in `target`; per-image stats in the images' order.
 * An image whose index a tag there names already (`held`, from the plan's
 * comparison) is complete: the registry took that index only after its
 * children, and they only after their blobs. It is asked nothing more.
 */
export async function pushContent(
  target: WriteTarget,
  destination: string,
  staged: StagedImage[],
  options: ExecuteOptions & { held: ReadonlySet<string> },
): Promise<PushedImage[]> {
  throwIfAborted(options.signal);
  const stop = new AbortController();
  const signals = options.signal === undefined ? [] : [options.signal];
  const signal = AbortSignal.any([stop.signal, ...signals]);
  const limit = createLimit(DESTINATION_PUSH_CONCURRENCY);
  const push: Push = { target, destination, signal, stop, limit, options };

  const stats = new Map(staged.map((image) => [image.image, emptyStats(image.plan)]));
  const held = (image: StagedImage) => options.held.has(`${image.result.root.digest}`);
  for (const image of staged.filter(held)) {
    stats.get(image.image)!.skipped = image.plan.blobs.length;
  }
  const missing = staged.filter((image) => !held(image));
  await pushBlobs(push, missing, stats);
  await pushManifests(push, missing, stats);

  return staged.map(({ image }) => {
    const counted = stats.get(image)!;
    options.onEvent?.({ type: 'pushed', destination, image, stats: counted });
    return { image, stats: counted };
  });
}

/** Each distinct blob once, for the first image (in plan order) that names it. */
async function pushBlobs(
  push: Push,
  staged: StagedImage[],
  stats: Map<string, CopyStats>,
): Promise<void> {
  const owners = new Map<string, { owner: StagedImage; blob: Descriptor }>();
  for (const image of staged) {
    for (const blob of image.plan.blobs) {
      const key = blob.digest.toString();
      if (owners.has(key)) stats.get(image.image)!.skipped++;
      else owners.set(key, { owner: image, blob });
    }
  }
  const tasks = [...owners.values()].map(({ owner, blob }) =>
    push.limit(() => pushBlob(push, owner, blob, stats)),
  );
  await settleAll(tasks, (error) => push.stop.abort(error));
}

async function pushBlob(
  push: Push,
  owner: StagedImage,
  blob: Descriptor,
  stats: Map<string, CopyStats>,
): Promise<void> {
  throwIfAborted(push.signal);
  const context = {
    source: owner.result.staging,
    destination: push.target,
    signal: push.signal,
    emit: (event: CopyEvent) => emit(push, owner.image, event),
  };
  const how: BlobTransfer = await copyBlob(context, blob);
  const counted = stats.get(owner.image)!;
  counted[how]++;
  if (how === 'uploaded') counted.bytes += blob.size;
}

/**
 * Each image's manifests in its plan's order (children first, referrers
 * after their subjects), images side by side; a manifest two images share
 * is written once.
 */
async function pushManifests(
  push: Push,
  staged: StagedImage[],
  stats: Map<string, CopyStats>,
): Promise<void> {
  const written = new Map<string, Promise<void>>();
  const tasks = staged.map(async (image) => {
    for (const node of image.plan.manifests) {
      const { descriptor } = node;
      const key = descriptor.digest.toString();
      let write = written.get(key);
      if (write === undefined) {
        write = push.limit(async () => {
          throwIfAborted(push.signal);
          await onSide('destination', descriptor.digest, () =>
            push.target.push(descriptor, node.manifest.bytes),
          );
        });
        written.set(key, write);
      }
      await write;
      stats.get(image.image)!.manifests++;
      const { digest, mediaType, size } = descriptor;
      emit(push, image.image, { type: 'manifest', digest, mediaType, size });
    }
  });
  await settleAll(tasks, (error) => push.stop.abort(error));
}

function emit(push: Push, image: string, event: CopyEvent): void {
  push.options.onEvent?.({ type: 'copy', destination: push.destination, image, event });
}

function emptyStats(plan: CopyPlan): CopyStats {
  const counts = { uploaded: 0, mounted: 0, skipped: 0, bytes: 0, manifests: 0 };
  return { blobs: plan.blobs.length, ...counts, referrers: plan.referrers };
}
