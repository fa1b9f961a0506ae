import type { CopyStats } from '../copy/types.js';
import type { ReleaseEvent } from './execute-types.js';
import type { PlanInputs } from './plan.js';
import type { TagChangeKind } from './plan-diff.js';
import type { ReleasePlan } from './plan-types.js';
import {
  RECORD_FORMAT,
  type RecordedTag,
  type ReleaseRecord,
  recordedInputs,
  sumStats,
} from './record.js';

/**
 * The record of a release that did not finish (interrupted, or a failed
 * destination), built from the events `executeRelease` reported: every tag
 * it wrote, with the digest it named before, so that a re-run and a
 * rollback still know what the release changed. Nothing else is known
 * for sure then, so `images` is empty and only the total time is measured.
 */
export class RecordTally {
  readonly #tags: RecordedTag[] = [];
  readonly #pushed = new Map<string, CopyStats[]>();
  readonly #started = Date.now();
  #sequence = 0;

  onEvent(event: ReleaseEvent): void {
    if (event.type === 'pushed') {
      const stats = this.#pushed.get(event.destination) ?? [];
      this.#pushed.set(event.destination, [...stats, event.stats]);
      return;
    }
    if (event.type !== 'tagged' && event.type !== 'stays') return;
    const { change } = event;
    // Events arrive after each write, in the order the writes finished.
    const sequence = event.type === 'tagged' ? ++this.#sequence : undefined;
    this.#tags.push({
      destination: event.destination,
      image: change.image,
      tag: change.tag,
      digest: change.to,
      ...(change.from === undefined ? {} : { previous: change.from }),
      change: change.change,
      ...(sequence === undefined ? {} : { sequence }),
    });
  }

  /** Tags the release wrote so far (not those that stayed). */
  get written(): number {
    return this.#sequence;
  }

  record(plan: ReleasePlan, inputs: PlanInputs): ReleaseRecord {
    const rank = new Map(plan.destinations.map((d, index) => [d.name, index]));
    const tags = [...this.#tags].sort(
      (a, b) => rank.get(a.destination)! - rank.get(b.destination)!,
    );
    const counts = { new: 0, moves: 0, stays: 0 } as Record<TagChangeKind, number>;
    for (const tag of tags) counts[tag.change] = (counts[tag.change] ?? 0) + 1;
    return {
      format: RECORD_FORMAT,
      file: plan.file,
      version: plan.version.normalized,
      complete: false,
      inputs: recordedInputs(inputs, plan.created),
      order: [...plan.order],
      images: [],
      destinations: plan.destinations.map((destination) => ({
        name: destination.name,
        kind: destination.kind,
        uploaded: sumStats(this.#pushed.get(destination.name) ?? []),
        timings: { pushMs: 0, tagMs: 0 },
      })),
      tags,
      counts,
      timings: {
        startedAt: new Date(this.#started).toISOString(),
        buildMs: 0,
        compareMs: 0,
        totalMs: Date.now() - this.#started,
      },
    };
  }
}
