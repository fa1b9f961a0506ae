import type { BuildResult } from '../build/build-image.js';
import { throwIfAborted } from '../copy/errors.js';
import { settleAll } from '../copy/limit.js';
import { RegistryTarget } from '../store/registry-target.js';
import type { WriteTarget } from '../store/target.js';
import type { ExecuteOptions, WrittenTag } from './execute-types.js';
import { type TagChange, writesTag } from './plan-diff.js';

/**
 * One destination's tags, after all of its content: in the plan's order,
 * image by image, so that the image planned last (the base) is the one a
 * registry shows as pushed last. Tags that stay or are held are not written.
 *
 * In a registry, the tags of one image that are next to each other in the
 * order are written together: they name the same index, whose content is
 * complete before any tag is written, so no reader can tell in which order
 * they landed; the next image's tags wait until all of them have. Each tag
 * is one PUT of the index's exact bytes from staging, which the registry
 * already holds by digest: nothing is read back first.
 */

/** The next tag write's place among all of the release's writes (1-based). */
export interface Sequence {
  next: number;
}

export async function writeTags(
  target: WriteTarget,
  destination: string,
  changes: TagChange[],
  staged: ReadonlyMap<string, BuildResult>,
  run: { sequence: Sequence; options: ExecuteOptions },
): Promise<WrittenTag[]> {
  const { options } = run;
  const written: WrittenTag[] = [];
  for (const group of groupsOf(changes, target instanceof RegistryTarget)) {
    throwIfAborted(options.signal);
    // Numbered in plan order before the writes start: the record keeps it.
    const numbered = group.map(
      (change): WrittenTag =>
        writesTag(change) ? { change, sequence: run.sequence.next++ } : { change },
    );
    const writes = numbered
      .filter((tag) => tag.sequence !== undefined)
      .map((tag) => writeTag(target, staged.get(tag.change.image)!, tag.change));
    await settleAll(writes);
    for (const tag of numbered) {
      written.push(tag);
      const type = tag.sequence === undefined ? 'stays' : 'tagged';
      options.onEvent?.({ type, destination, change: tag.change });
    }
  }
  return written;
}

/**
 * Runs of adjacent changes of one image (`together`), else one change per
 * group. A tag not written (stays, held) ends a run, and the order of
 * the ones around it is kept as planned.
 */
function groupsOf(changes: TagChange[], together: boolean): TagChange[][] {
  const groups: TagChange[][] = [];
  for (const change of changes) {
    const last = groups.at(-1);
    const joins =
      together &&
      last !== undefined &&
      last[0]!.image === change.image &&
      writesTag(change) &&
      writesTag(last.at(-1)!);
    if (joins) last.push(change);
    else groups.push([change]);
  }
  return groups;
}

/** `expect`: the tag must still name what the plan saw, else another writer is busy. */
async function writeTag(
  target: WriteTarget,
  staged: BuildResult,
  change: TagChange,
): Promise<void> {
  const root = staged.root;
  const expect = { digest: change.from };
  if (!(target instanceof RegistryTarget))
    return target.tag(root, change.tag, { expect });
  const bytes = await staged.staging.fetchBytes(root);
  await target.tag(root, change.tag, { bytes, expect });
}
