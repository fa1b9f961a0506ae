import { Readable } from 'node:stream';
import { ErrorCode, GantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { DIGEST_MISMATCH_HINT, Digest } from '../oci/digest.js';
import { DEFAULT_FETCH_BYTES_LIMIT } from './target.js';

/**
 * Checks of content against its descriptor, shared by every store backend:
 * the size first (cheap, and it stops an endless or wrong stream early),
 * then the digest over exactly the bytes seen.
 */

/** What the checks need of a descriptor. */
export type ContentDescriptor = Pick<Descriptor, 'digest' | 'size'>;

export function sizeMismatch(
  what: string,
  descriptor: ContentDescriptor,
  actual: number | string,
): GantryError {
  return new GantryError(
    ErrorCode.SizeMismatch,
    `${what}: expected ${descriptor.size} bytes, got ${actual}`,
    {
      hint: mismatchHint(what),
      details: { expected: descriptor.size, actual: String(actual) },
    },
  );
}

export function digestMismatch(
  what: string,
  descriptor: ContentDescriptor,
  actual: Digest,
): GantryError {
  return new GantryError(
    ErrorCode.DigestMismatch,
    `${what}: expected digest ${descriptor.digest}, got ${actual}`,
    {
      hint: mismatchHint(what),
      details: { expected: descriptor.digest.toString(), actual: actual.toString() },
    },
  );
}

/**
 * Local content that does not hash to its digest was changed on disk, not on
 * the way: say so, rather than blame a registry. Every backend's `what` reads
 * `<digest> in <description>`, the description starting with its transport.
 */
const LOCAL_MISMATCH_HINTS: ReadonlyArray<readonly [string, string]> = [
  [
    ' in oci:',
    'a blob file in the OCI layout was changed or damaged on disk: ' +
      'copy the image into the layout again',
  ],
  [
    ' in oci-archive:',
    'the OCI archive holds a damaged or edited blob: write the archive again',
  ],
  [
    ' in docker-archive:',
    'the docker archive holds a damaged or edited file: write the archive again',
  ],
];

function mismatchHint(what: string): string {
  const local = LOCAL_MISMATCH_HINTS.find(([marker]) => what.includes(marker));
  return local?.[1] ?? DIGEST_MISMATCH_HINT;
}

/** Throws SizeMismatch or DigestMismatch unless `bytes` are the content. */
export function verifyBytes(
  bytes: Uint8Array,
  descriptor: ContentDescriptor,
  what: string,
): void {
  if (bytes.byteLength !== descriptor.size) {
    throw sizeMismatch(what, descriptor, bytes.byteLength);
  }
  const actual = Digest.of(bytes, descriptor.digest.algorithm);
  if (!actual.equals(descriptor.digest)) throw digestMismatch(what, descriptor, actual);
}

/**
 * Passes `source` through, failing with SizeMismatch as soon as more bytes
 * than the descriptor's size arrive, or at the end when fewer did, and with
 * DigestMismatch at the end when the bytes hash to something else.
 */
export async function* verifiedChunks(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>,
  descriptor: ContentDescriptor,
  what: string,
): AsyncGenerator<Uint8Array> {
  const hasher = Digest.hasher(descriptor.digest.algorithm);
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (hasher.size + bytes.byteLength > descriptor.size) {
      throw sizeMismatch(what, descriptor, `more than ${descriptor.size}`);
    }
    hasher.update(bytes);
    if (bytes.byteLength > 0) yield bytes;
  }

  if (hasher.size !== descriptor.size) throw sizeMismatch(what, descriptor, hasher.size);
  const actual = hasher.digest();
  if (!actual.equals(descriptor.digest)) throw digestMismatch(what, descriptor, actual);
}

/** A stream of `source` that is verified as it is read (see verifiedChunks). */
export function verifiedStream(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>,
  descriptor: ContentDescriptor,
  what: string,
): Readable {
  return Readable.from(verifiedChunks(source, descriptor, what), { objectMode: false });
}

/** Content given as bytes or a stream, as chunks. */
export function chunksOf(
  content: Uint8Array | Readable,
): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  return content instanceof Uint8Array ? [content] : content;
}

/** Reads a stream to the end, discarding it (so a producer is not left waiting). */
export async function drain(content: Uint8Array | Readable): Promise<void> {
  if (content instanceof Uint8Array) return;
  for await (const _ of content) {
    // discarded: the content is already stored
  }
}

/** Throws ContentTooLarge when the descriptor says more than `limit` bytes. */
export function checkLimit(
  descriptor: ContentDescriptor,
  limit: number | undefined,
  what: string,
): void {
  const max = limit ?? DEFAULT_FETCH_BYTES_LIMIT;
  if (descriptor.size <= max) return;
  throw new GantryError(
    ErrorCode.ContentTooLarge,
    `${what}: ${descriptor.size} bytes is over the ${max}-byte limit for reading whole`,
    { hint: 'stream large content with fetch() instead of fetchBytes()' },
  );
}

/** Collects verified chunks into one byte array. */
export async function collectVerified(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>,
  descriptor: ContentDescriptor,
  what: string,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of verifiedChunks(source, descriptor, what)) parts.push(chunk);
  const joined = Buffer.concat(parts);
  // A plain Uint8Array, not a Buffer: callers compare and keep bytes as is.
  return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
}
