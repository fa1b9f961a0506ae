import type { BuildResult } from '../build/build-image.js';
import { throwIfAborted } from '../copy/errors.js';
import { settleAll } from '../copy/limit.js';
import { planStaged, pushContent, type StagedImage } from './execute-content.js';
import { type Sequence, writeTags } from './execute-tags.js';
import { openDestination } from './execute-targets.js';
import type { DestinationOutcome, ExecuteOptions } from './execute-types.js';
import type { TagChange } from './plan-diff.js';
import type { PlannedDestination } from './plan-types.js';

/**
 * The publishing half of a release: every destination at once, each one
 * getting the content of every image with no tag (execute-content.ts),
 * then its tags in the plan's order (execute-tags.ts). Destinations do not
 * wait for each other: the publication order the record proves is per
 * destination (DESIGN.md), and a tag in one never names content in another.
 */

/** Every destination, side by side; outcomes in the plan's destination order. */
export async function publishAll(
  destinations: PlannedDestination[],
  changes: TagChange[],
  results: ReadonlyMap<string, BuildResult>,
  options: ExecuteOptions,
): Promise<DestinationOutcome[]> {
  const staged = await planStaged(results, options);
  // One failed destination stops the others between steps (and inside copies).
  const stop = new AbortController();
  const signals = options.signal === undefined ? [] : [options.signal];
  const signal = AbortSignal.any([stop.signal, ...signals]);
  const sequence: Sequence = { next: 1 };
  const tasks = destinations.map((destination) => {
    const own = changes.filter((change) => change.destination === destination.name);
    // What the comparison found there: indexes that some tag names already.
    const held = new Set(own.flatMap((change) => change.from ?? []));
    return publish(destination, own, staged, sequence, { ...options, signal, held });
  });
  const outcomes = await settleAll(tasks, (error) => stop.abort(error));
  // A stop asked for while the last writes landed is still reported.
  throwIfAborted(options.signal);
  return outcomes;
}

/** Content of every image first, untagged; then the tags in plan order. */
export async function publish(
  destination: PlannedDestination,
  changes: TagChange[],
  staged: StagedImage[],
  sequence: Sequence,
  options: ExecuteOptions & { held: ReadonlySet<string> },
): Promise<DestinationOutcome> {
  const target = await openDestination(destination, options.client);
  try {
    const started = Date.now();
    const pushed = await pushContent(target, destination.name, staged, options);
    const contentDone = Date.now();
    const roots = new Map(staged.map(({ image, result }) => [image, result]));
    const tags = await writeTags(target, destination.name, changes, roots, {
      sequence,
      options,
    });
    const timings = { pushMs: contentDone - started, tagMs: Date.now() - contentDone };
    return { name: destination.name, kind: destination.kind, pushed, tags, timings };
  } finally {
    await target.close?.();
  }
}
