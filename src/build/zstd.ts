import { Transform, type TransformCallback } from 'node:stream';
import zstdWasm from '@bokuweb/zstd-wasm';
import { ErrorCode, GantryError } from '../errors.js';
import { DEFAULT_ZSTD_LEVEL } from './layer-options.js';

/**
 * zstd compression for layers. Node 20 has no zstd in `node:zlib` (22.15
 * added it), so gantry uses the WASM build of the reference library
 * (@bokuweb/zstd-wasm, pinned): one library on every Node version, so the
 * same inputs give the same blob everywhere, which would not hold if Node's
 * bundled zstd were used where present.
 *
 * The library compresses whole buffers only. The stream is therefore cut into
 * fixed-size blocks, each compressed as an independent frame; a zstd stream
 * is one or more frames (RFC 8878 §3), and decoders (zstd, containerd's)
 * read concatenated frames as one stream. Memory stays bounded by a block.
 */

/** Input bytes per frame: a few zstd windows, so frames cost little ratio. */
export const ZSTD_FRAME_SIZE = 8 * 1024 * 1024;
export { DEFAULT_ZSTD_LEVEL };

/** Levels the reference library accepts without `--ultra` (zstd(1)). */
const MAX_ZSTD_LEVEL = 19;

let ready: Promise<void> | undefined;

/** Loads the WASM module once per process. */
function loadZstd(): Promise<void> {
  ready ??= zstdWasm.init();
  return ready;
}

export interface ZstdOptions {
  level?: number;
  /** Input bytes per frame; ZSTD_FRAME_SIZE unless given (tests use less). */
  frameSize?: number;
}

export class ZstdFrames extends Transform {
  private readonly level: number;
  private readonly frameSize: number;
  private block: Buffer;
  private filled = 0;
  private frames = 0;

  constructor(options: ZstdOptions = {}) {
    super();
    this.level = checkLevel(options.level ?? DEFAULT_ZSTD_LEVEL);
    this.frameSize = options.frameSize ?? ZSTD_FRAME_SIZE;
    this.block = Buffer.allocUnsafe(this.frameSize);
  }

  override _transform(chunk: Buffer, _encoding: string, done: TransformCallback): void {
    loadZstd().then(() => {
      let at = 0;
      while (at < chunk.length) {
        const take = Math.min(chunk.length - at, this.frameSize - this.filled);
        chunk.copy(this.block, this.filled, at, at + take);
        this.filled += take;
        at += take;
        if (this.filled === this.frameSize) this.emitFrame();
      }
      done();
    }, done);
  }

  override _flush(done: TransformCallback): void {
    loadZstd().then(() => {
      // An empty input still gets one (empty) frame: a valid zstd stream.
      if (this.filled > 0 || this.frames === 0) this.emitFrame();
      done();
    }, done);
  }

  private emitFrame(): void {
    const frame = zstdWasm.compress(this.block.subarray(0, this.filled), this.level);
    this.push(Buffer.from(frame.buffer, frame.byteOffset, frame.length));
    this.filled = 0;
    this.frames += 1;
  }
}

function checkLevel(level: number): number {
  if (!Number.isInteger(level) || level < 1 || level > MAX_ZSTD_LEVEL) {
    throw new GantryError(
      ErrorCode.Usage,
      `zstd level ${level} is not between 1 and ${MAX_ZSTD_LEVEL}`,
      { hint: `choose a zstd level from 1 (fastest) to ${MAX_ZSTD_LEVEL} (smallest)` },
    );
  }
  return level;
}
