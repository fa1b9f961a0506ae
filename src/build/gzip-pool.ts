import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { constants, deflateRaw } from 'node:zlib';
import { ErrorCode, GantryError } from '../errors.js';

/**
 * Deflates blocks side by side, `size` at once (one per core by default).
 *
 * Each job deflates one block raw (RFC 1951) with the previous block's tail
 * as preset dictionary, ending with a sync flush (empty stored block, byte
 * aligned) or, for the last block, with the final block. Output depends only
 * on the job, never on which thread ran it.
 *
 * Where the blocks run depends on the machine. On libuv's thread pool
 * (node's asynchronous zlib) a block costs no JavaScript and nothing to
 * start; but the pool has UV_THREADPOOL_SIZE threads (4 unless set before
 * node starts, so gantry cannot raise it), and file reads need some of them.
 * So the thread pool takes the blocks when `size` plus one queued block
 * leaves a thread free (two cores with the default 4 threads), and worker
 * threads take them otherwise, one per slot. A worker starts a V8 isolate
 * and node's bootstrap, about 50 ms of CPU: on two cores that slowed the
 * command's own start-up while the blocks waited (bench/build); with more
 * cores it is paid on cores that would be idle.
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
 * Blocks handed to the thread pool beyond `size`, so a thread that
 * finishes starts the next block at once instead of waiting for the main
 * thread's turn.
 */
const QUEUED_AHEAD = 1;

/** libuv's thread pool size, as node read it at start-up. */
function threadPoolSize(): number {
  const set = Number(process.env.UV_THREADPOOL_SIZE);
  return Number.isInteger(set) && set > 0 ? Math.min(set, 1024) : 4;
}

/**
 * Output buffer headroom over the input: deflate's worst case (stored
 * blocks) adds about 5 bytes per 16 KiB, plus the flush; one buffer then
 * holds a block's whole output and zlib returns to the main thread once.
 */
const OUTPUT_HEADROOM = 64 * 1024;

export class DeflatePool {
  readonly size: number;
  /** Where the blocks run: libuv's thread pool, or worker threads. */
  readonly backend: 'thread-pool' | 'workers';
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private nextId = 0;
  private readonly slots: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private broken: GantryError | undefined;

  /** `backend` is for tests; by default the machine decides (see above). */
  constructor(
    size: number = defaultPoolSize(),
    backend: 'thread-pool' | 'workers' = size + QUEUED_AHEAD < threadPoolSize()
      ? 'thread-pool'
      : 'workers',
  ) {
    this.size = Math.max(1, size);
    this.backend = backend;
    this.slots = backend === 'thread-pool' ? this.size + QUEUED_AHEAD : this.size;
    if (backend === 'workers') this.startWorkers();
  }

  /** Deflates one block once a slot is free. `job.data` may be transferred. */
  async deflate(job: DeflateJob): Promise<Uint8Array> {
    await this.acquire();
    try {
      return this.backend === 'thread-pool'
        ? await onThreadPool(job)
        : await this.onWorker(job);
    } finally {
      this.release();
    }
  }

  /** Refuses further blocks; one already running fails or ends on its own. */
  async close(): Promise<void> {
    this.fail(new Error('the deflate pool was closed'));
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private acquire(): Promise<void> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    if (this.running < this.slots) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.waiting.push(() => {
        if (this.broken !== undefined) reject(this.broken);
        else {
          this.running++;
          resolve();
        }
      });
    });
  }

  private release(): void {
    this.running--;
    if (this.broken === undefined) this.waiting.shift()?.();
  }

  private fail(error: Error): void {
    this.broken ??= new GantryError(ErrorCode.Internal, 'the deflate pool stopped', {
      cause: error,
    });
    for (const resolve of this.pending.values())
      resolve({ id: -1, error: String(error) });
    for (const wake of this.waiting.splice(0)) wake();
  }

  private startWorkers(): void {
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.on('message', (reply: Reply) => this.pending.get(reply.id)?.(reply));
      worker.on('error', (error) => this.fail(error));
      // Idle workers must not keep the process alive.
      worker.unref();
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  private async onWorker(job: DeflateJob): Promise<Uint8Array> {
    // A slot is held, so a worker is idle.
    const worker = this.idle.pop()!;
    const id = this.nextId++;
    try {
      const reply = await new Promise<Reply>((resolve) => {
        this.pending.set(id, resolve);
        worker.ref();
        const whole = job.data.byteLength === job.data.buffer.byteLength;
        const transfer = whole ? [job.data.buffer as ArrayBuffer] : [];
        worker.postMessage({ id, ...job }, transfer);
      });
      if (reply.error !== undefined || reply.bytes === undefined) {
        throw new GantryError(ErrorCode.Internal, `deflate failed: ${reply.error}`);
      }
      return reply.bytes;
    } finally {
      this.pending.delete(id);
      worker.unref();
      this.idle.push(worker);
    }
  }
}

function onThreadPool(job: DeflateJob): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
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
}

interface Reply {
  id: number;
  bytes?: Uint8Array;
  error?: string;
}

/**
 * A worker's code, given as text (`eval`) so the pool works from the CLI
 * bundle, from compiled `dist/` and from TypeScript run through a loader,
 * without resolving a worker file.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const zlib = require('node:zlib');
parentPort.on('message', (job) => {
  try {
    const options = {
      level: job.level,
      finishFlush: job.final ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
    };
    if (job.dictionary.length > 0) options.dictionary = job.dictionary;
    const out = zlib.deflateRawSync(job.data, options);
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.length);
    parentPort.postMessage({ id: job.id, bytes }, [out.buffer]);
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String(error) });
  }
});
`;
