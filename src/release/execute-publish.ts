import type { BuildResult } from '../build/build-image.js';
import { copyImage } from '../copy/copy.js';
import { throwIfAborted } from '../copy/errors.js';
import type { WriteTarget } from '../store/target.js';
import { openDestination } from './execute-targets.js';
import type {
  DestinationOutcome,
  ExecuteOptions,
  PushedImage,
  WrittenTag,
} from './execute-types.js';
import type { TagChange } from './plan-diff.js';
import type { PlannedDestination } from './plan-types.js';

/**
 * One destination's turn in a release: the content of every image, with no
 * tag, then the tags in the plan's order, skipping those that stay.
 */

/** Content of every image first, untagged; then the tags in plan order. */
export async function publish(
  destination: PlannedDestination,
  changes: TagChange[],
  results: ReadonlyMap<string, BuildResult>,
  sequence: { next: number },
  options: ExecuteOptions,
): Promise<DestinationOutcome> {
  const target = await openDestination(destination, options.client);
  try {
    const started = Date.now();
    const pushed = await pushContent(target, destination.name, results, options);
    const contentDone = Date.now();
    const tags = await writeTags(
      target,
      destination.name,
      changes,
      results,
      sequence,
      options,
    );
    const timings = { pushMs: contentDone - started, tagMs: Date.now() - contentDone };
    return { name: destination.name, kind: destination.kind, pushed, tags, timings };
  } finally {
    await target.close?.();
  }
}

/** Every image's content, untagged: nothing is reachable by tag before it is whole. */
async function pushContent(
  target: WriteTarget,
  destination: string,
  results: ReadonlyMap<string, BuildResult>,
  options: ExecuteOptions,
): Promise<PushedImage[]> {
  const pushed: PushedImage[] = [];
  for (const [image, result] of results) {
    throwIfAborted(options.signal);
    const copied = await copyImage(result.staging, `${result.root.digest}`, target, [], {
      // Staging's referrers are the release's own attestations (src/attest).
      referrers: true,
      onEvent: (event) => options.onEvent?.({ type: 'copy', destination, image, event }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    pushed.push({ image, stats: copied.stats });
    options.onEvent?.({ type: 'pushed', destination, image, stats: copied.stats });
  }
  return pushed;
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
    throwIfAborted(options.signal);
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
