import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGzip } from 'node:zlib';

/**
 * Benchmark layers: one-file tar archives of random bytes, gzip-wrapped,
 * written to temporary files so that a 1 GiB layer never sits in memory.
 *
 * Random bytes do not compress, so gzip runs at level 0 (stored deflate
 * blocks, RFC 1951 section 3.2.4): the blob is a real gzip stream whose
 * size is the content size plus a few bytes per 64 KiB block, as with a
 * layer of already-compressed files, and it is written at disk speed.
 */

/** Random content is made in pieces of this size; the buffer is reused. */
const RANDOM_PIECE = 1024 * 1024;
/** ustar block size (POSIX.1-1988): headers and content are padded to it. */
const TAR_BLOCK = 512;

export interface LayerFile {
  /** `sha256:<hex>` of the gzip blob. */
  digest: string;
  size: number;
  /** `sha256:<hex>` of the uncompressed tar: the config's diff ID. */
  diffId: string;
  file: string;
}

/** Writes a layer holding `contentSize` random bytes in one file to `file`. */
export async function writeRandomLayer(
  file: string,
  name: string,
  contentSize: number,
): Promise<LayerFile> {
  const diff = createHash('sha256');
  const blob = createHash('sha256');
  let size = 0;

  await pipeline(
    tarOfRandomFile(name, contentSize),
    tap((chunk) => diff.update(chunk)),
    createGzip({ level: constants.Z_NO_COMPRESSION }),
    tap((chunk) => {
      blob.update(chunk);
      size += chunk.length;
    }),
    createWriteStream(file),
  );
  return {
    digest: `sha256:${blob.digest('hex')}`,
    size,
    diffId: `sha256:${diff.digest('hex')}`,
    file,
  };
}

/** A blob source for RegistryClient.uploadBlob that re-opens the file at an offset. */
export function fileSource(file: string): { open(offset: number): Readable } {
  return { open: (offset) => createReadStream(file, { start: offset }) };
}

function tap(see: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      see(chunk);
      done(null, chunk);
    },
  });
}

async function* tarOfRandomFile(name: string, size: number): AsyncGenerator<Buffer> {
  yield tarHeader(name, size);
  const piece = Buffer.alloc(RANDOM_PIECE);
  for (let left = size; left > 0; left -= RANDOM_PIECE) {
    const length = Math.min(left, RANDOM_PIECE);
    randomFillSync(piece, 0, length);
    // A copy: the consumer may hold a chunk while the next one is made.
    yield Buffer.from(piece.subarray(0, length));
  }
  yield Buffer.alloc((TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK);
  // Two zero blocks end the archive.
  yield Buffer.alloc(2 * TAR_BLOCK);
}

/** A ustar header for a regular file, mode 0644, owner 0, time 0. */
function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(TAR_BLOCK);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}
