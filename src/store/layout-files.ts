import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Digest } from '../oci/digest.js';
import { type ContentDescriptor, chunksOf, verifiedStream } from './verify.js';

/**
 * Files of an OCI image layout (image-spec image-layout.md): where blobs
 * live, and writes that never leave a partial file visible. Every write
 * goes to a temporary file in the same folder (so the same filesystem),
 * then `rename` replaces or creates the final name in one step (POSIX
 * rename(2) is atomic for readers).
 */

/** image-layout.md, "oci-layout file". */
export const LAYOUT_FILE = 'oci-layout';
export const INDEX_FILE = 'index.json';
export const BLOBS_DIR = 'blobs';
/** The only image layout version (image-layout.md). */
export const LAYOUT_VERSION = '1.0.0';

/** image-layout.md, "Blobs": `blobs/<alg>/<encoded>`. */
export function blobPath(layoutPath: string, digest: Digest): string {
  return join(layoutPath, BLOBS_DIR, digest.algorithm, digest.hex);
}

/** A temporary name beside `path`, dot-named, unique to this write. */
function temporaryPath(path: string): string {
  const suffix = randomBytes(8).toString('hex');
  return join(dirname(path), `.${basename(path)}.${suffix}.tmp`);
}

/** Writes `bytes` to `path` whole or not at all. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = temporaryPath(path);
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Writes a blob verified against its descriptor: the bytes stream into a
 * temporary file, and only when their size and digest match is it renamed
 * to `blobs/<alg>/<hex>`. On any failure the temporary file is removed and
 * the blob stays absent.
 */
export async function writeBlobAtomic(
  layoutPath: string,
  descriptor: ContentDescriptor,
  content: Uint8Array | Readable,
  what: string,
): Promise<void> {
  const path = blobPath(layoutPath, descriptor.digest);
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPath(path);
  try {
    const verified = verifiedStream(chunksOf(content), descriptor, what);
    await pipeline(verified, createWriteStream(temporary, { flags: 'wx' }));
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
