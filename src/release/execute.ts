import type { BuildResult } from '../build/build-image.js';
import { ReleaseContent } from './execute-pipeline.js';
import { publishAll } from './execute-publish.js';
import { prefetchTags } from './execute-targets.js';
import type { ExecuteOptions, ReleaseOutcome } from './execute-types.js';
import { comparePlan } from './plan-diff.js';
import type { ReleasePlan } from './plan-types.js';
import { describeBuilt, stageRelease } from './stage.js';

/**
 * Runs a release plan. Each image, as soon as it is built into staging,
 * starts to go to every destination with all of its blobs, manifests and
 * indexes but no tag, while later images still build. Once every image is
 * built, every planned tag is compared with what it names now; then each
 * destination, when all of its content is there, gets its tags in the
 * plan's publication order. A tag that already names the built digest is
 * left alone (`stays`), so a repeated run with the same inputs changes
 * nothing, and an interrupted run leaves no tag on incomplete content.
 */

export type * from './execute-types.js';

export async function executeRelease(
  plan: ReleasePlan,
  options: ExecuteOptions,
): Promise<ReleaseOutcome> {
  const started = Date.now();
  // Destinations' current tags are read while the images build.
  const current = prefetchTags(plan, options.client);
  const content = new ReleaseContent(plan, current, options);
  const staged: BuildResult[] = [];
  try {
    const results = await stageRelease(plan, {
      ...options,
      signal: content.signal,
      onStaged: (image, result) => {
        staged.push(result);
        content.add(image, result);
      },
    });
    const built = Date.now();
    const images = plan.images.map((image) => describeBuilt(image.name, results));
    const planned = new Map(images.map((image) => [image.name, image.digest]));
    const allowDowngrade = options.allowDowngrade === true;
    const diff = await comparePlan(plan, current, { planned, allowDowngrade });
    const compared = Date.now();

    const destinations = await publishAll(
      plan.destinations,
      diff.changes,
      content,
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
  } catch (error) {
    content.fail(error);
    throw content.failure(error);
  } finally {
    // Staging is read by the pushes: it goes only once they all stopped.
    await content.close();
    await Promise.all(staged.map((result) => result.dispose()));
  }
}
