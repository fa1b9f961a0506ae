import { Readable } from 'node:stream';
import { ErrorCode, GantryError } from '../errors.js';
import type { Reference } from '../reference/reference.js';
import type { BlobDescriptor } from './blobs.js';
import { contentRange, nextOffset } from './location.js';
import type { RegistryResponse, RegistrySession } from './types.js';

/**
 * A streamed blob upload: the source piped straight into one `PATCH` whose
 * body is the rest of the blob, so reading the source and sending to the
 * registry overlap and at most a socket buffer of the blob is in memory.
 * It is the distribution-spec chunked form ("Pushing a blob in chunks") with
 * a single chunk: `Content-Range` and `Content-Length` name the remaining
 * bytes, which every registry accepts as a last chunk of any size (ECR's
 * 5 MiB minimum applies to all chunks but the last).
 *
 * Resuming is left to the caller: a failed PATCH throws a StreamedSendError
 * carrying whether the source itself failed (then there is nothing to
 * resume: the source's error is what the caller reports).
 */

/** What one streamed PATCH did; `location` is where the upload continues. */
export interface StreamedPatch {
  location: string;
}

/** A PATCH that failed; `sourceError` is set when the source broke, not the send. */
export class StreamedSendError extends Error {
  constructor(
    readonly failure: unknown,
    readonly sourceError: unknown,
  ) {
    super('streamed blob upload failed', { cause: failure });
  }
}

export interface StreamedPatchInput {
  session: RegistrySession;
  repo: Reference;
  descriptor: BlobDescriptor;
  location: string;
  offset: number;
  stream: Readable;
  nextLocation: (response: RegistryResponse, current: string) => string;
}

export async function sendStreamed(input: StreamedPatchInput): Promise<StreamedPatch> {
  const { session, repo, descriptor, location, offset } = input;
  const remaining = descriptor.size - offset;
  const watched = watchSource(input.stream, descriptor, offset);

  let response: RegistryResponse;
  try {
    response = await session.request({
      method: 'PATCH',
      url: location,
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(remaining),
        // Inclusive at both ends (distribution-spec; field case BR-20).
        'content-range': contentRange(offset, descriptor.size - 1),
      },
      body: watched.body,
      scopes: [repo.scope(['pull', 'push'])],
      expect: [202],
      operation: `blob upload stream from ${offset}`,
    });
    await response.dump();
  } catch (error) {
    throw new StreamedSendError(error, watched.failure());
  }
  // A source that failed after the registry answered still failed.
  const late = watched.failure();
  if (late !== undefined) throw new StreamedSendError(late, late);

  const held = nextOffset(response.headers.range, descriptor.size);
  if (held !== descriptor.size) {
    throw new GantryError(
      ErrorCode.Registry,
      `blob upload to ${repo.repository}: after bytes ${offset}-${descriptor.size - 1}` +
        ` the registry holds ${held} bytes`,
      { hint: 'the registry lost part of the upload: push again' },
    );
  }
  return { location: input.nextLocation(response, location) };
}

/**
 * The source as a request body, remembering the source's own error and
 * refusing bytes beyond the descriptor's size (a longer source is another
 * blob; a shorter one fails the request because Content-Length is not met).
 */
function watchSource(
  stream: Readable,
  descriptor: BlobDescriptor,
  offset: number,
): { body: Readable; failure: () => unknown } {
  let failure: unknown;
  const failed = (error: unknown): never => {
    failure ??= error;
    throw error;
  };
  // Only the source's own errors are recorded. When the send fails (a reset
  // socket), the body is destroyed with that error, which Readable.from
  // throws into this generator at its `yield`: that is not the source's.
  async function* pass(): AsyncGenerator<Uint8Array> {
    const pieces = stream[Symbol.asyncIterator]();
    let seen = offset;
    try {
      for (;;) {
        const next = await pieces.next().catch(failed);
        if (next.done === true) break;
        const bytes = next.value as Uint8Array;
        seen += bytes.byteLength;
        if (seen > descriptor.size) failed(sourceTooLong(descriptor, seen));
        yield bytes;
      }
      if (seen < descriptor.size) failed(sourceTooShort(descriptor, seen));
    } finally {
      // Stops and releases the source however this ends, as for-await does.
      await pieces.return?.();
    }
  }
  const body = Readable.from(pass(), { objectMode: false });
  return { body, failure: () => failure };
}

function sourceTooLong(descriptor: BlobDescriptor, seen: number): GantryError {
  return new GantryError(
    ErrorCode.SizeMismatch,
    `blob ${descriptor.digest}: the source holds more than ${descriptor.size}` +
      ` bytes, the descriptor says ${descriptor.size}`,
    { details: { expected: descriptor.size, actual: seen } },
  );
}

function sourceTooShort(descriptor: BlobDescriptor, seen: number): GantryError {
  return new GantryError(
    ErrorCode.SizeMismatch,
    `blob ${descriptor.digest}: the source holds ${seen}` +
      ` bytes, the descriptor says ${descriptor.size}`,
    { details: { expected: descriptor.size, actual: seen } },
  );
}

/**
 * Re-cuts a stream into arrays of exactly `size` bytes (the last may be
 * shorter), so each PATCH body can be sent again if it fails.
 */
export async function* byteChunks(
  stream: Readable,
  size: number,
): AsyncGenerator<Uint8Array> {
  let pending: Buffer[] = [];
  let held = 0;
  for await (const piece of stream) {
    let buffer = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as Uint8Array);
    while (held + buffer.length >= size) {
      const take = size - held;
      yield Buffer.concat([...pending, buffer.subarray(0, take)]);
      buffer = buffer.subarray(take);
      pending = [];
      held = 0;
    }
    if (buffer.length > 0) {
      pending.push(buffer);
      held += buffer.length;
    }
  }
  if (held > 0) yield Buffer.concat(pending);
}
