import type { Descriptor } from '../oci/descriptor.js';
import { type BlobContext, copyBlob } from './blobs.js';
import { throwIfAborted } from './errors.js';
import { createSizedLimit, type SizedLimit } from './limit.js';
import type { CopyStats } from './types.js';

export interface TransferContext extends BlobContext {
  /** Blob transfers at once. */
  concurrency: number;
  /** Stops the other transfers when one fails. */
  stop: AbortController;
  /** Blobs the destination is known to hold (CopyOptions.present). */
  present?: ReadonlySet<string>;
}

/**
 * The blob transfers of one copy. Each distinct blob starts as soon as a
 * manifest naming it is read (plan.ts, `onNode`), so transfers overlap the
 * rest of the walk instead of waiting for it; at most `concurrency` run at
 * once, the biggest waiting first (limit.ts, createSizedLimit).
 * A blob `add` is told the destination holds, or one in `present`, is
 * counted as skipped without a request. The first failure stops the others (`stop`).
 */
export class BlobTransfers {
  readonly #context: TransferContext;
  readonly #stats: CopyStats;
  readonly #tasks = new Map<string, Promise<void>>();
  readonly #limit: SizedLimit;
  #failed = false;
  #first: unknown;

  constructor(context: TransferContext, stats: CopyStats) {
    this.#context = context;
    this.#stats = stats;
    this.#limit = createSizedLimit(context.concurrency);
  }

  /** Starts each blob not started yet; `held` says whether the destination has them. */
  add(blobs: Descriptor[], held: Promise<boolean>): void {
    for (const blob of blobs) {
      const key = blob.digest.toString();
      if (this.#tasks.has(key)) continue;
      const task = this.#limit(blob.size, () => this.#transfer(blob, held));
      // Watched at once, so a failure is never an unhandled rejection.
      task.catch((error: unknown) => this.#fail(error));
      this.#tasks.set(key, task);
    }
  }

  /** Waits for every transfer started, then throws the first failure if any. */
  async finish(): Promise<void> {
    await Promise.allSettled(this.#tasks.values());
    if (this.#failed) throw this.#first;
  }

  /**
   * Stops whatever still runs because of `error` (the plan failed), waits
   * for it to end, and returns the failure to report: a transfer's that
   * came first (the plan then only saw the copy stopping), else `error`.
   */
  async abandon(error: unknown): Promise<unknown> {
    this.#fail(error);
    await Promise.allSettled(this.#tasks.values());
    return this.#first;
  }

  async #transfer(blob: Descriptor, held: Promise<boolean>): Promise<void> {
    const context = this.#context;
    throwIfAborted(context.signal);
    const { digest, size } = blob;
    if (context.present?.has(digest.toString()) === true || (await held)) {
      context.emit({ type: 'blob-start', digest, size });
      context.emit({ type: 'blob-done', digest, size, how: 'skipped' });
      this.#stats.skipped++;
      return;
    }
    const how = await copyBlob(context, blob);
    this.#stats[how]++;
    if (how === 'uploaded') this.#stats.bytes += size;
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#first = error;
    this.#context.stop.abort(error);
  }
}
