import { attestRelease } from '../attest/release.js';
import { type BuildResult, buildImages } from '../build/build-image.js';
import { throwIfAborted } from '../copy/errors.js';
import type { Digest } from '../oci/digest.js';
import { platformToString } from '../oci/platform.js';
import { planBuilds } from './builds.js';
import { publish } from './execute-publish.js';
import { currentTags } from './execute-targets.js';
import type {
  BuiltReleaseImage,
  DestinationOutcome,
  ExecuteOptions,
  ReleaseOutcome,
} from './execute-types.js';
import { comparePlan } from './plan-diff.js';
import type { ReleasePlan } from './plan-types.js';

/**
 * Runs a release plan: every image is built into staging first, then each
 * destination in turn gets all blobs, manifests and indexes without any
 * tag, and only then its tags in the plan's publication order. A tag that
 * already names the built digest is left alone (`stays`), so a repeated
 * run with the same inputs changes nothing, and an interrupted run leaves
 * no tag on incomplete content.
 */

export type * from './execute-types.js';

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
      throwIfAborted(options.signal);
      const bases = new Map<string, { ref: string; digest: Digest }>();
      const built = await buildImages(image.builds, {
        client: options.client,
        ...image.options,
        ...(epoch === undefined ? {} : { epoch }),
        ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
        onEvent: (event) => {
          if (event.type !== 'base') return;
          const { ref, digest } = event;
          bases.set(platformToString(event.platform), { ref, digest });
        },
      });
      results.set(image.image, built);
      // Attestations (src/attest): the index gains them, or its staging serves referrers.
      const attestations = options.attestations ?? plan.attestations;
      const attestInput = { plan, image: image.image, builds: image.builds, bases };
      const result = await attestRelease(built, attestations, {
        ...attestInput,
        baseDir: options.baseDir,
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
