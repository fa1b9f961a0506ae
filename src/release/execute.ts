import { publishAll } from './execute-publish.js';
import { prefetchTags } from './execute-targets.js';
import type { ExecuteOptions, ReleaseOutcome } from './execute-types.js';
import { comparePlan } from './plan-diff.js';
import type { ReleasePlan } from './plan-types.js';
import { describeBuilt, stageRelease } from './stage.js';

/**
 * Runs a release plan: every image is built into staging first, then every
 * destination at once gets all blobs, manifests and indexes without any
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
  // Destinations' current tags are read while the images build.
  const current = prefetchTags(plan, options.client);
  const results = await stageRelease(plan, options);
  try {
    const built = Date.now();
    const images = plan.images.map((image) => describeBuilt(image.name, results));
    const planned = new Map(images.map((image) => [image.name, image.digest]));
    const diff = await comparePlan(plan, current, { planned });
    const compared = Date.now();

    const destinations = await publishAll(
      plan.destinations,
      diff.changes,
      results,
      options,
    );
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
