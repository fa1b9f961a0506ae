import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ErrorCode, GantryError } from '../errors.js';

/**
 * A small pool of worker threads that deflate blocks. The worker's code is
 * given as text (`eval`) so the same pool works from compiled `dist/` and
 * from TypeScript run through a loader, without resolving a worker file.
 *
 * Each job deflates one block raw (RFC 1951) with the previous block's tail
 * as preset dictionary, ending with a sync flush (empty stored block, byte
 * aligned) or, for the last block, with the final block. Output depends only
 * on the job, never on which worker ran it.
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

export interface DeflateJob {
  data: Uint8Array;
  dictionary: Uint8Array;
  level: number;
  final: boolean;
}

interface Reply {
  id: number;
  bytes?: Uint8Array;
  error?: string;
}

/** Workers by default: one per core, as deflate is CPU-bound. */
export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism());
}

export class DeflatePool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private nextId = 0;
  private broken: Error | undefined;

  get size(): number {
    return this.workers.length;
  }

  constructor(size: number = defaultPoolSize()) {
    for (let i = 0; i < Math.max(1, size); i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.on('message', (reply: Reply) => this.pending.get(reply.id)?.(reply));
      worker.on('error', (error) => this.failAll(error));
      // Idle workers must not keep the process alive.
      worker.unref();
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  /** Deflates one block on the next free worker. `job.data` is transferred. */
  async deflate(job: DeflateJob): Promise<Uint8Array> {
    const worker = await this.acquire();
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
      this.release(worker);
    }
  }

  /** Stops the workers; a block still being deflated fails instead of waiting forever. */
  async close(): Promise<void> {
    this.failAll(new Error('the deflate pool was closed'));
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private acquire(): Promise<Worker> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    const worker = this.idle.pop();
    if (worker !== undefined) return Promise.resolve(worker);
    return new Promise((resolve, reject) => {
      this.waiting.push(() =>
        this.broken === undefined ? resolve(this.idle.pop()!) : reject(this.broken),
      );
    });
  }

  private release(worker: Worker): void {
    this.idle.push(worker);
    this.waiting.shift()?.();
  }

  private failAll(error: Error): void {
    this.broken = new GantryError(ErrorCode.Internal, 'a deflate worker failed', {
      cause: error,
    });
    for (const resolve of this.pending.values())
      resolve({ id: -1, error: String(error) });
    for (const wake of this.waiting.splice(0)) wake();
  }
}
