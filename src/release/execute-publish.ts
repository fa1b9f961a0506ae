import type { BuildResult } from '../build/build-image.js';
import { throwIfAborted } from '../copy/errors.js';
import { settleAll } from '../copy/limit.js';
import type { DestinationContent } from './execute-content.js';
import type { ReleaseContent } from './execute-pipeline.js';
import { type Sequence, writeTags } from './execute-tags.js';
import type { DestinationOutcome, ExecuteOptions } from './execute-types.js';
import type { TagChange } from './plan-diff.js';
import type { PlannedDestination } from './plan-types.js';

/**
 * The tagging half of a release: every destination at once, each one
 * waiting until all of its content is there (execute-content.ts, started
 * while the images built), then writing its tags in the plan's order
 * (execute-tags.ts). Destinations do not wait for each other: the
 * publication order the record proves is per destination (DESIGN.md), and
 * a tag in one never names content in another.
 */

/** Every destination, side by side; outcomes in the plan's destination order. */
export async function publishAll(
  destinations: PlannedDestination[],
  changes: TagChange[],
  content: ReleaseContent,
  results: ReadonlyMap<string, BuildResult>,
  options: ExecuteOptions,
): Promise<DestinationOutcome[]> {
  // One failed destination stops the others between steps (and inside copies).
  const run = { ...options, signal: content.signal };
  const sequence: Sequence = { next: 1 };
  const images = [...results.keys()];
  const tasks = destinations.map((destination) => {
    const own = changes.filter((change) => change.destination === destination.name);
    const pushes = content.destinations.get(destination.name)!;
    return publish(destination, own, { pushes, images, results }, sequence, run);
  });
  const outcomes = await settleAll(tasks, (error) => content.fail(error));
  // A stop asked for while the last writes landed is still reported.
  throwIfAborted(options.signal);
  return outcomes;
}

/** Content of every image first, untagged; then the tags in plan order. */
async function publish(
  destination: PlannedDestination,
  changes: TagChange[],
  staged: {
    pushes: DestinationContent;
    images: string[];
    results: ReadonlyMap<string, BuildResult>;
  },
  sequence: Sequence,
  options: ExecuteOptions,
): Promise<DestinationOutcome> {
  const { target, pushed, pushMs } = await staged.pushes.finish(staged.images);
  const contentDone = Date.now();
  const tags = await writeTags(target, destination.name, changes, staged.results, {
    sequence,
    options,
  });
  const timings = { pushMs, tagMs: Date.now() - contentDone };
  return { name: destination.name, kind: destination.kind, pushed, tags, timings };
}
