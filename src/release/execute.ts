import { type BuildResult, buildImages, pushBuild } from '../build/build-image.js';
import type { CopyStats } from '../copy/types.js';
import type { Digest } from '../oci/digest.js';
import { platformToString } from '../oci/platform.js';
import type { RegistryClient } from '../registry/client.js';
import type { WriteTarget } from '../store/target.js';
import { planBuilds } from './builds.js';
import { currentTags, openDestination } from './execute-targets.js';
import { comparePlan, type PlanDiff, type TagChange } from './plan-diff.js';
import type { PlannedDestination, ReleasePlan } from './plan-types.js';

/**
 * Runs a release plan: every image is built into staging first, then each
 * destination in turn gets all blobs, manifests and indexes without any
 * tag, and only then its tags in the plan's publication order. A tag that
 * already names the built digest is left alone (`stays`), so a repeated
 * run with the same inputs changes nothing, and an interrupted run leaves
 * no tag on incomplete content.
 */

export type ReleaseEvent =
  | { type: 'built'; image: string; digest: Digest; platforms: number }
  | { type: 'pushed'; destination: string; image: string; stats: CopyStats }
  | { type: 'tagged'; destination: string; change: TagChange }
  | { type: 'stays'; destination: string; change: TagChange };

export interface ExecuteOptions {
  client: RegistryClient;
  /** Where relative file sources are found: the release file's folder. */
  baseDir: string;
  /** Layer cache folder; the build default when absent; false for none. */
  cacheDir?: string | false;
  onEvent?: (event: ReleaseEvent) => void;
}

export interface BuiltReleaseImage {
  name: string;
  /** The index every destination's tags of this image name. */
  digest: Digest;
  mediaType: string;
  platforms: { platform: string; digest: Digest }[];
}

export interface PushedImage {
  image: string;
  stats: CopyStats;
}

/** One tag as the release left it; `sequence` is the write's place overall. */
export interface WrittenTag {
  change: TagChange;
  /** 1-based across all destinations; absent when the tag stayed. */
  sequence?: number;
}

export interface DestinationOutcome {
  name: string;
  kind: PlannedDestination['kind'];
  pushed: PushedImage[];
  tags: WrittenTag[];
  timings: { pushMs: number; tagMs: number };
}

export interface ReleaseOutcome {
  plan: ReleasePlan;
  diff: PlanDiff;
  images: BuiltReleaseImage[];
  destinations: DestinationOutcome[];
  timings: { startedAt: string; buildMs: number; compareMs: number; totalMs: number };
}

export async function executeRelease(
  plan: ReleasePlan,
  options: ExecuteOptions,
): Promise<ReleaseOutcome> {
  const started = Date.now();
  const results = await buildAll(plan, options);
  try {
    const built = Date.now();
    const images = plan.images.map((image) => describeBuilt(image.name, results));
    const planned = new Map(images.map((image) => [image.name, image.digest]));
    const diff = await comparePlan(plan, currentTags(options.client), { planned });
    const compared = Date.now();

    const sequence = { next: 1 };
    const destinations: DestinationOutcome[] = [];
    for (const destination of plan.destinations) {
      const changes = diff.changes.filter((c) => c.destination === destination.name);
      destinations.push(await publish(destination, changes, results, sequence, options));
    }
    const timings = {
      startedAt: new Date(started).toISOString(),
      buildMs: built - started,
      compareMs: compared - built,
      totalMs: Date.now() - started,
    };
    return { plan, diff, images, destinations, timings };
  } finally {
    await Promise.all([...results.values()].map((result) => result.dispose()));
  }
}

/** Builds every image into staging, in publication order. */
async function buildAll(
  plan: ReleasePlan,
  options: ExecuteOptions,
): Promise<Map<string, BuildResult>> {
  const results = new Map<string, BuildResult>();
  const epoch = plan.created === undefined ? undefined : epochOf(plan.created);
  try {
    for (const image of planBuilds(plan, options.baseDir)) {
      const result = await buildImages(image.builds, {
        client: options.client,
        ...image.options,
        ...(epoch === undefined ? {} : { epoch }),
        ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
      });
      results.set(image.image, result);
      options.onEvent?.({
        type: 'built',
        image: image.image,
        digest: result.root.digest,
        platforms: result.manifests.length,
      });
    }
    return results;
  } catch (error) {
    await Promise.all([...results.values()].map((result) => result.dispose()));
    throw error;
  }
}

/** Seconds since the epoch of an RFC 3339 time: what layer and config times use. */
function epochOf(created: string): number {
  return Math.floor(Date.parse(created) / 1000);
}

function describeBuilt(
  name: string,
  results: ReadonlyMap<string, BuildResult>,
): BuiltReleaseImage {
  const result = results.get(name)!;
  return {
    name,
    digest: result.root.digest,
    mediaType: result.root.mediaType,
    platforms: result.manifests.map((built) => ({
      platform: platformToString(built.platform),
      digest: built.manifest.digest,
    })),
  };
}

/** Content of every image first, untagged; then the tags in plan order. */
async function publish(
  destination: PlannedDestination,
  changes: TagChange[],
  results: ReadonlyMap<string, BuildResult>,
  sequence: { next: number },
  options: ExecuteOptions,
): Promise<DestinationOutcome> {
  const target = await openDestination(destination, options.client);
  const started = Date.now();
  const pushed: PushedImage[] = [];
  for (const [image, result] of results) {
    const copied = await pushBuild(result, target, []);
    pushed.push({ image, stats: copied.stats });
    options.onEvent?.({
      type: 'pushed',
      destination: destination.name,
      image,
      stats: copied.stats,
    });
  }
  const contentDone = Date.now();

  const tags = await writeTags(
    target,
    destination.name,
    changes,
    results,
    sequence,
    options,
  );
  await target.close?.();
  const timings = { pushMs: contentDone - started, tagMs: Date.now() - contentDone };
  return { name: destination.name, kind: destination.kind, pushed, tags, timings };
}

async function writeTags(
  target: WriteTarget,
  destination: string,
  changes: TagChange[],
  results: ReadonlyMap<string, BuildResult>,
  sequence: { next: number },
  options: ExecuteOptions,
): Promise<WrittenTag[]> {
  const written: WrittenTag[] = [];
  for (const change of changes) {
    if (change.change === 'stays') {
      written.push({ change });
      options.onEvent?.({ type: 'stays', destination, change });
      continue;
    }
    await target.tag(results.get(change.image)!.root, change.tag);
    written.push({ change, sequence: sequence.next });
    sequence.next += 1;
    options.onEvent?.({ type: 'tagged', destination, change });
  }
  return written;
}
