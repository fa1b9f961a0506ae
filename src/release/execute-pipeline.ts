import type { BuildResult } from '../build/build-image.js';
import { createLimit } from '../copy/limit.js';
import { type CopyPlan, planCopy } from '../copy/plan.js';
import { DESTINATION_PUSH_CONCURRENCY, DestinationContent } from './execute-content.js';
import type { ExecuteOptions } from './execute-types.js';
import type { CurrentTag } from './plan-diff.js';
import type { ReleasePlan } from './plan-types.js';

/**
 * A release's content on its way out while it builds: each image, once
 * staged, has its copy planned once and starts to go to every destination
 * at once, untagged (execute-content.ts). The first failure, of a build or
 * of a push, stops everything else and is the one reported.
 */

/** One image's copy plan from its staging; the same for every destination. */
export interface StagedImage {
  image: string;
  result: BuildResult;
  plan: CopyPlan;
}

export class ReleaseContent {
  /** By destination name, in the plan's order. */
  readonly destinations: ReadonlyMap<string, DestinationContent>;
  /** Aborted at the first failure, or when the caller's signal is. */
  readonly signal: AbortSignal;
  readonly #stop = new AbortController();
  // Planning reads only staging (memory): the bound is for its CPU, per image.
  readonly #planLimit = createLimit(DESTINATION_PUSH_CONCURRENCY);
  readonly #plan: ReleasePlan;
  readonly #current: CurrentTag;
  readonly #held: Promise<Map<string, ReadonlySet<string>>>;
  #failed = false;
  #failure: unknown;

  constructor(plan: ReleasePlan, current: CurrentTag, options: ExecuteOptions) {
    this.#plan = plan;
    this.#current = current;
    const signals = options.signal === undefined ? [] : [options.signal];
    this.signal = AbortSignal.any([this.#stop.signal, ...signals]);
    const run = {
      options: { ...options, signal: this.signal },
      signal: this.signal,
      held: (destination: string) => this.#heldIn(destination),
      fail: (error: unknown) => this.fail(error),
    };
    this.destinations = new Map(
      plan.destinations.map((d) => [d.name, new DestinationContent(d, run)]),
    );
    // Watched from the start: a destination that cannot be read (wrong
    // credentials, unreachable) stops the builds at once, not after them.
    this.#held = this.#readHeld();
    this.#held.catch((error: unknown) => this.fail(error));
  }

  /** An image is staged: plan its copy and start it to every destination. */
  add(image: string, result: BuildResult): void {
    const staged = this.#planCopy(image, result);
    staged.catch((error: unknown) => this.fail(error));
    for (const destination of this.destinations.values()) destination.add(staged);
  }

  /** Records the first failure and stops every build and push still running. */
  fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#failure = error;
    this.#stop.abort(error);
  }

  /** The first failure, else `error` (what a stopped step threw instead). */
  failure(error: unknown): unknown {
    return this.#failed ? this.#failure : error;
  }

  /** Waits for every push started and closes the destinations. */
  async close(): Promise<void> {
    await Promise.all([...this.destinations.values()].map((d) => d.close()));
  }

  /**
   * What every planned tag names now, per destination (the look-ups
   * prefetchTags started): all of them answer before the first write, so a
   * destination that cannot be read stops the release before any write.
   */
  async #heldIn(destination: string): Promise<ReadonlySet<string>> {
    return (await this.#held).get(destination) ?? new Set();
  }

  async #readHeld(): Promise<Map<string, ReadonlySet<string>>> {
    const held = new Map<string, ReadonlySet<string>>();
    for (const { name, writes } of this.#plan.destinations) {
      const found = await Promise.all(
        writes.map((write) => this.#current(name, write.tag)),
      );
      held.set(name, new Set(found.flatMap((digest) => digest?.toString() ?? [])));
    }
    return held;
  }

  async #planCopy(image: string, result: BuildResult): Promise<StagedImage> {
    const context = {
      source: result.staging,
      limit: this.#planLimit,
      emit: () => {},
      signal: this.signal,
    };
    // Staging's referrers are the release's own attestations (src/attest).
    const plan = await planCopy(context, `${result.root.digest}`, { referrers: true });
    return { image, result, plan };
  }
}
