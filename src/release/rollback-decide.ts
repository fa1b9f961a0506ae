import type { RecordedTag, ReleaseRecord } from './record.js';
import type { RollbackAction, RollbackPlan, RollbackStep } from './rollback-types.js';

/**
 * The pure part of planning a rollback: from the record and what each
 * destination's tags name now, what happens to every tag and in which
 * order. Reading the destinations is `planRollback`'s job.
 */

/**
 * How a destination removes a tag: a registry deletes the manifest by
 * digest (which takes every tag on it), an OCI layout drops the one
 * index.json entry of that name; `none` cannot remove tags.
 */
export type TagRemoval = 'digest' | 'tag' | 'none';

/** What one destination holds now: every tag and the digest it names. */
export interface DestinationState {
  removal: TagRemoval;
  tags: ReadonlyMap<string, string>;
}

/**
 * Steps in a safe order. Restores come first, in the reverse of the
 * release's tag writes (the last image published, the base by default, is
 * restored first): every previous manifest already exists, so no tag ever
 * names missing content, and the reverse order undoes what users saw last
 * first. Removals follow, because a removal deletes a manifest by digest
 * and must not take a tag that a restore has yet to move away from it.
 */
export function decideRollback(
  record: ReleaseRecord,
  recordPath: string,
  states: ReadonlyMap<string, DestinationState>,
): RollbackPlan {
  const steps = record.tags.map((tag) => firstDecision(tag, states.get(tag.destination)));
  for (const [destination, state] of states) {
    decideRemovals(
      steps.filter((step) => step.destination === destination),
      state,
    );
  }
  return {
    record: recordPath,
    version: record.version,
    steps: order(steps, record.tags),
    counts: countActions(steps),
  };
}

function firstDecision(tag: RecordedTag, state: DestinationState | undefined) {
  const current = state?.tags.get(tag.tag);
  const step: RollbackStep = {
    destination: tag.destination,
    image: tag.image,
    tag: tag.tag,
    action: 'untouched',
    ...(current === undefined ? {} : { current }),
  };
  if (tag.change !== 'moves' && tag.change !== 'new') return step;

  const goal = tag.change === 'moves' ? tag.previous : undefined;
  if (current === goal) return { ...step, action: 'done' as const };
  if (current !== tag.digest) {
    const reason = `names ${current ?? 'nothing'}, not the release's ${tag.digest}`;
    return { ...step, action: 'changed' as const, reason };
  }
  if (goal !== undefined) return { ...step, action: 'restore' as const, target: goal };
  return { ...step, action: 'remove' as const, target: tag.digest };
}

/**
 * A created tag is removed by digest only when, after the restores, every
 * tag that names its digest is also being removed: deleting the manifest
 * by digest then takes exactly those tags and no other. Removing a layout
 * tag takes that name alone, so other names on the digest do not matter.
 */
function decideRemovals(steps: RollbackStep[], state: DestinationState): void {
  const after = new Map(state.tags);
  for (const step of steps) {
    if (step.action === 'restore') after.set(step.tag, step.target!);
  }
  const removing = new Set(
    steps.filter((step) => step.action === 'remove').map((step) => step.tag),
  );
  for (const step of steps) {
    if (step.action !== 'remove') continue;
    if (state.removal === 'none') {
      step.action = 'keep';
      step.reason = 'this destination cannot remove a tag: remove it by hand';
      continue;
    }
    step.removal = state.removal;
    if (state.removal === 'tag') continue;
    const others = [...after]
      .filter(([tag, digest]) => digest === step.target && !removing.has(tag))
      .map(([tag]) => tag);
    if (others.length > 0) {
      step.action = 'keep';
      step.reason = `removing it would also remove ${others.sort().join(', ')}`;
    }
  }
}

const RANK: Record<RollbackAction, number> = {
  restore: 0,
  remove: 1,
  keep: 2,
  changed: 2,
  done: 2,
  untouched: 2,
};

function order(steps: RollbackStep[], tags: RecordedTag[]): RollbackStep[] {
  const sequence = (index: number) => tags[index]!.sequence ?? 0;
  const indexed = steps.map((step, index) => ({ step, index }));
  indexed.sort(
    (a, b) =>
      RANK[a.step.action] - RANK[b.step.action] ||
      (RANK[a.step.action] < 2 ? sequence(b.index) - sequence(a.index) : 0) ||
      a.index - b.index,
  );
  let place = 0;
  return indexed.map(({ step }) =>
    RANK[step.action] < 2 ? { ...step, sequence: ++place } : step,
  );
}

function countActions(steps: RollbackStep[]): Record<RollbackAction, number> {
  const counts: Record<RollbackAction, number> = {
    restore: 0,
    remove: 0,
    keep: 0,
    changed: 0,
    done: 0,
    untouched: 0,
  };
  for (const step of steps) counts[step.action] += 1;
  return counts;
}
