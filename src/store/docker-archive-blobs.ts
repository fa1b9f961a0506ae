import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { Descriptor } from '../oci/descriptor.js';
import { Digest } from '../oci/digest.js';
import { type ArchiveEntry, readArchiveEntry } from './archive-index.js';
import { notFound } from './names.js';
import { checkLimit, collectVerified, sizeMismatch, verifiedStream } from './verify.js';

/**
 * The content a docker archive serves, by digest: ranges of the archive
 * read, files staged for the archive being written, and manifests gantry
 * made for images that came without one. Every read is verified against
 * the descriptor asked for, whatever the source.
 */

export interface BlobSource {
  readonly size: number;
  open(): Readable;
}

export type BlobMap = Map<string, BlobSource>;

/** `blobs/<alg>/<hex>`: where an OCI layout, and Docker 25+, keep content. */
export function blobName(digest: Digest): string {
  return `blobs/${digest.algorithm}/${digest.hex}`;
}

/** The digest a `blobs/<alg>/<hex>` name gives, undefined for other names. */
export function digestOfBlobName(name: string): Digest | undefined {
  const match = /^blobs\/(sha256|sha512)\/([0-9a-f]+)$/.exec(name);
  if (match === null) return undefined;
  const text = `${match[1]}:${match[2]}`;
  return Digest.isValid(text) ? Digest.parse(text) : undefined;
}

export function entrySource(file: string, entry: ArchiveEntry): BlobSource {
  return { size: entry.size, open: () => readArchiveEntry(file, entry) };
}

export function fileSource(path: string, size: number): BlobSource {
  return { size, open: () => (size === 0 ? Readable.from([]) : createReadStream(path)) };
}

export function bytesSource(bytes: Uint8Array): BlobSource {
  return { size: bytes.byteLength, open: () => Readable.from([bytes]) };
}

/** The source of a descriptor's content; NotFound or SizeMismatch when it has none. */
export function sourceOf(
  blobs: BlobMap,
  descriptor: Descriptor,
  where: string,
): BlobSource {
  const source = blobs.get(descriptor.digest.toString());
  if (source === undefined) throw notFound(`blob ${descriptor.digest}`, where);
  if (source.size !== descriptor.size) {
    throw sizeMismatch(`${descriptor.digest} in ${where}`, descriptor, source.size);
  }
  return source;
}

export function fetchStream(
  blobs: BlobMap,
  descriptor: Descriptor,
  where: string,
): Readable {
  const source = sourceOf(blobs, descriptor, where);
  return verifiedStream(source.open(), descriptor, `${descriptor.digest} in ${where}`);
}

export async function fetchWhole(
  blobs: BlobMap,
  descriptor: Descriptor,
  where: string,
  limit?: number,
): Promise<Uint8Array> {
  const what = `${descriptor.digest} in ${where}`;
  checkLimit(descriptor, limit, what);
  const source = sourceOf(blobs, descriptor, where);
  return collectVerified(source.open(), descriptor, what);
}

/** The digest of a whole source, read once. */
export async function digestOf(source: BlobSource): Promise<Digest> {
  const hasher = Digest.hasher();
  for await (const chunk of source.open()) hasher.update(chunk as Uint8Array);
  return hasher.digest();
}

/** The first `count` bytes of a source (fewer when it is shorter). */
export async function headOf(source: BlobSource, count: number): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  let seen = 0;
  const stream = source.open();
  for await (const chunk of stream) {
    parts.push(chunk as Buffer);
    seen += (chunk as Buffer).byteLength;
    if (seen >= count) break;
  }
  stream.destroy();
  return new Uint8Array(Buffer.concat(parts).subarray(0, count));
}
