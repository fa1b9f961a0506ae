import { availableParallelism } from 'node:os';
import { constants, deflateRaw } from 'node:zlib';
import { ErrorCode, GantryError } from '../errors.js';

/**
 * Deflates blocks side by side on libuv's thread pool: node's asynchronous
 * zlib calls run there, off the main thread, with no JavaScript on the
 * way. (gantry used worker threads before; each starts a V8 isolate and
 * node's bootstrap, about 50 ms of CPU, which on two cores slowed the
 * command's own start-up while the blocks waited.) At most `size` blocks
 * are deflated at once, so with the pool's four threads at least two stay
 * free for the file reads that feed the blocks.
 *
 * Each job deflates one block raw (RFC 1951) with the previous block's tail
 * as preset dictionary, ending with a sync flush (empty stored block, byte
 * aligned) or, for the last block, with the final block. Output depends only
 * on the job, never on which thread ran it.
 */

export interface DeflateJob {
  data: Uint8Array;
  dictionary: Uint8Array;
  level: number;
  final: boolean;
}

/** Blocks deflated at once by default: one per core, as deflate is CPU-bound. */
export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Output buffer headroom over the input: deflate's worst case (stored
 * blocks) adds about 5 bytes per 16 KiB, plus the flush; one buffer then
 * holds a block's whole output and zlib returns to the main thread once.
 */
const OUTPUT_HEADROOM = 64 * 1024;

/**
 * Blocks handed to the thread pool beyond one per core, so a thread that
 * finishes starts the next block at once instead of waiting for the main
 * thread's turn; one, so one of the pool's four threads stays free for
 * file reads.
 */
const QUEUED_AHEAD = 1;

export class DeflatePool {
  readonly size: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private closed: GantryError | undefined;

  constructor(size: number = defaultPoolSize()) {
    this.size = Math.max(1, size);
  }

  /** Deflates one block once fewer than `size` are in progress. */
  async deflate(job: DeflateJob): Promise<Uint8Array> {
    await this.acquire();
    try {
      return await new Promise<Uint8Array>((resolve, reject) => {
        deflateRaw(
          job.data,
          {
            level: job.level,
            finishFlush: job.final ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
            chunkSize: job.data.byteLength + OUTPUT_HEADROOM,
            ...(job.dictionary.length > 0 ? { dictionary: job.dictionary } : {}),
          },
          (error, out) => {
            if (error === null) resolve(out);
            else {
              reject(
                new GantryError(ErrorCode.Internal, `deflate failed: ${error.message}`, {
                  cause: error,
                }),
              );
            }
          },
        );
      });
    } finally {
      this.release();
    }
  }

  /** Refuses further blocks; a block already on a thread finishes on its own. */
  async close(): Promise<void> {
    this.closed = new GantryError(ErrorCode.Internal, 'the deflate pool was closed');
    for (const wake of this.waiting.splice(0)) wake();
  }

  private acquire(): Promise<void> {
    if (this.closed !== undefined) return Promise.reject(this.closed);
    if (this.running < this.size + QUEUED_AHEAD) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.waiting.push(() => {
        if (this.closed !== undefined) reject(this.closed);
        else {
          this.running++;
          resolve();
        }
      });
    });
  }

  private release(): void {
    this.running--;
    if (this.closed === undefined) this.waiting.shift()?.();
  }
}
