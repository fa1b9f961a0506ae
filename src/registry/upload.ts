import { Readable } from 'node:stream';
import { ErrorCode, GantryError, isGantryError } from '../errors.js';
import { DIGEST_MISMATCH_HINT } from '../oci/digest.js';
import type { Reference } from '../reference/reference.js';
import { type BlobDescriptor, headBlob } from './blobs.js';
import {
  contentRange,
  nextOffset,
  resolveLocation,
  withDigestQuery,
} from './location.js';
import { RegistryError } from './registry-error.js';
import type { RegistryResponse, RegistrySession } from './types.js';
import { cancelUpload, type OpenUpload, startUpload } from './upload-session.js';
import { byteChunks, StreamedSendError, sendStreamed } from './upload-stream.js';

export {
  cancelUpload,
  mountBlob,
  type OpenUpload,
  startUpload,
} from './upload-session.js';

/**
 * Blob uploads (distribution-spec, "Pushing blobs"): a HEAD first (unless
 * the caller just asked), then a monolithic `POST` + `PUT ?digest=` for small
 * byte arrays; `POST`, one streamed `PATCH` and an empty `PUT ?digest=` for a
 * re-openable source (see upload-stream.ts); or `POST`, a `PATCH` per chunk
 * and an empty `PUT ?digest=` for large byte arrays and when `chunkSize` is
 * given. All the data goes in PATCH requests; the final PUT carries none
 * (field case BR-20 allows either; this keeps every data request alike).
 * A streamed or chunked upload is not hashed here: the closing PUT names the
 * digest, the registry refuses other bytes (400 DIGEST_INVALID), and the
 * digest it answers must be ours. A byte array sent whole is checked first.
 */

/** Bytes to upload: an array in memory, or a source that re-opens at an offset. */
export type BlobSource =
  | Uint8Array
  | { open(offset: number): Promise<Readable> | Readable };

export interface UploadOptions {
  /**
   * Bytes per PATCH request. Given, a source is sent in chunks of this size
   * (for registries that want chunks); absent, a source is streamed in one
   * PATCH and a large byte array goes in DEFAULT_CHUNK_SIZE chunks.
   */
  chunkSize?: number;
  /** The caller has just seen the blob missing: skip the HEAD (one round trip). */
  knownMissing?: boolean;
  /** Byte arrays up to this size go in one PUT; default MONOLITHIC_LIMIT. */
  monolithicLimit?: number;
  /** Called after each chunk the registry accepted, with the bytes it holds. */
  onProgress?: (uploaded: number, total: number) => void;
}

/**
 * Byte arrays up to this size are sent in one PUT: they are in memory
 * already, and a failed PUT is retried whole by the session.
 */
export const MONOLITHIC_LIMIT = 16 * 1024 * 1024;

/**
 * Each PATCH carries this much. Chunks are held in memory so a failed one can
 * be sent again; 8 MiB keeps that small while staying above the 5 MiB minimum
 * chunk some registries (ECR) impose on all but the last chunk.
 */
export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;

/**
 * How often a chunked upload that failed mid-way asks the registry how much
 * it holds and continues from there (or starts again when the session is gone).
 */
export const MAX_UPLOAD_RESUMES = 3;

export async function uploadBlob(
  session: RegistrySession,
  repo: Reference,
  descriptor: BlobDescriptor,
  source: BlobSource,
  options: UploadOptions = {},
): Promise<'uploaded' | 'exists'> {
  if (!options.knownMissing) {
    if ((await headBlob(session, repo, descriptor.digest)) !== undefined) return 'exists';
  }
  const limit = options.monolithicLimit ?? MONOLITHIC_LIMIT;
  const monolithic = source instanceof Uint8Array && source.byteLength <= limit;
  if (monolithic) checkBytes(source, descriptor);
  const streamed = !(source instanceof Uint8Array) && options.chunkSize === undefined;
  const upload = await startUpload(session, repo);

  const location = monolithic
    ? upload.location
    : streamed
      ? await sendStream(session, repo, descriptor, source, upload.location)
      : await sendChunks(session, repo, descriptor, source, upload, options);
  try {
    const last = monolithic ? source : undefined;
    await finishUpload(session, repo, descriptor, location, last);
  } catch (error) {
    await cancelUpload(session, repo, location);
    throw error;
  }
  // Chunks report their own progress; other uploads report once.
  if (!(monolithic || streamed)) return 'uploaded';
  options.onProgress?.(descriptor.size, descriptor.size);
  return 'uploaded';
}

/**
 * Sends the source in PATCH requests and returns the latest Location. A
 * failed PATCH is followed by a `GET` of the upload URL: its `Range` says
 * where to continue (distribution-spec, "Resuming an upload"); when the
 * session is gone a new one starts from byte 0.
 */
async function sendChunks(
  session: RegistrySession,
  repo: Reference,
  descriptor: BlobDescriptor,
  source: BlobSource,
  upload: OpenUpload,
  options: UploadOptions,
): Promise<string> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  let location = upload.location;
  let offset = 0;

  for (let resumes = 0; ; resumes++) {
    const stream = await openAt(source, offset);
    let sending = false;
    try {
      for await (const chunk of byteChunks(stream, chunkSize)) {
        checkLength(descriptor, offset + chunk.byteLength);
        sending = true;
        location = await sendChunk(session, repo, location, offset, chunk);
        sending = false;
        offset += chunk.byteLength;
        options.onProgress?.(offset, descriptor.size);
      }
      break;
    } catch (error) {
      if (!sending || !worthResuming(error) || resumes >= MAX_UPLOAD_RESUMES) {
        await cancelUpload(session, repo, location);
        throw error;
      }
      ({ location, offset } = await recover(session, repo, location));
    } finally {
      stream.destroy();
    }
  }

  if (offset !== descriptor.size) {
    await cancelUpload(session, repo, location);
    throw sizeMismatch(descriptor, offset);
  }
  return location;
}

/**
 * Streams the source in one PATCH (upload-stream.ts). When the send breaks
 * off, the registry's `Range` says where to continue and the source is
 * re-opened there, as for chunks; a failing source is not resumed.
 */
async function sendStream(
  session: RegistrySession,
  repo: Reference,
  descriptor: BlobDescriptor,
  source: BlobSource,
  start: string,
): Promise<string> {
  let location = start;
  let offset = 0;
  for (let resumes = 0; ; resumes++) {
    if (offset === descriptor.size) return location;
    const stream = await openAt(source, offset);
    const input = { session, repo, descriptor, location, offset, stream, nextLocation };
    try {
      return (await sendStreamed(input)).location;
    } catch (caught) {
      const error = caught instanceof StreamedSendError ? caught.failure : caught;
      const fromSource =
        caught instanceof StreamedSendError ? caught.sourceError : undefined;
      if (
        fromSource !== undefined ||
        !worthResuming(error) ||
        resumes >= MAX_UPLOAD_RESUMES
      ) {
        await cancelUpload(session, repo, location);
        throw fromSource ?? error;
      }
      ({ location, offset } = await recover(session, repo, location));
    } finally {
      stream.destroy();
    }
  }
}

async function sendChunk(
  session: RegistrySession,
  repo: Reference,
  location: string,
  start: number,
  chunk: Uint8Array,
): Promise<string> {
  const response = await session.request({
    method: 'PATCH',
    url: location,
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(chunk.byteLength),
      // Inclusive at both ends (distribution-spec; field case BR-20).
      'content-range': contentRange(start, start + chunk.byteLength - 1),
    },
    body: chunk,
    scopes: [repo.scope(['pull', 'push'])],
    expect: [202],
    operation: `blob upload chunk at ${start}`,
  });
  await response.dump();

  const sent = start + chunk.byteLength;
  const held = nextOffset(response.headers.range, sent);
  if (held !== sent) {
    throw new GantryError(
      ErrorCode.Registry,
      `blob upload to ${repo.repository}: after bytes ${start}-${sent - 1}` +
        ` the registry holds ${held} bytes`,
      { hint: 'the registry lost part of the upload: push again' },
    );
  }
  return nextLocation(response, location);
}

/**
 * Asking where to continue goes over the same connections that just broke:
 * a pooled one may be dead without the pool knowing yet, so a network
 * failure of the status request is asked once more on a fresh connection.
 */
const STATUS_ATTEMPTS = 2;

async function recover(
  session: RegistrySession,
  repo: Reference,
  location: string,
): Promise<{ location: string; offset: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await recoverOnce(session, repo, location);
    } catch (error) {
      const network = isGantryError(error) && error.code === ErrorCode.Network;
      if (!network || attempt >= STATUS_ATTEMPTS) throw error;
    }
  }
}

/** Where to continue: the registry's own count, or byte 0 of a new session. */
async function recoverOnce(
  session: RegistrySession,
  repo: Reference,
  location: string,
): Promise<{ location: string; offset: number }> {
  try {
    const response = await session.request({
      method: 'GET',
      url: location,
      scopes: [repo.scope(['pull', 'push'])],
      expect: [204],
      operation: 'blob upload status',
    });
    await response.dump();
    // Without a Range the registry's count is unknown: start again below.
    // TODO(spec): distribution reports one byte held as `0-0`, like none;
    // read as none, and the closing PUT's digest check catches the rare case.
    if (response.headers.range !== undefined) {
      return {
        location: nextLocation(response, location),
        offset: nextOffset(response.headers.range),
      };
    }
  } catch (error) {
    if (!(error instanceof RegistryError) || error.status !== 404) throw error;
  }
  return { location: (await startUpload(session, repo)).location, offset: 0 };
}

/** `PUT <location>&digest=`: closes the upload with the last bytes (or none). */
async function finishUpload(
  session: RegistrySession,
  repo: Reference,
  descriptor: BlobDescriptor,
  location: string,
  bytes: Uint8Array | undefined,
): Promise<void> {
  const body = bytes ?? new Uint8Array(0);
  const response = await session.request({
    method: 'PUT',
    url: withDigestQuery(location, descriptor.digest),
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(body.byteLength),
    },
    body,
    scopes: [repo.scope(['pull', 'push'])],
    expect: [201],
    operation: `blob upload ${descriptor.digest}`,
  });
  await response.dump();

  const header = response.headers['docker-content-digest'];
  if (header !== undefined && !descriptor.digest.equals(header.trim())) {
    throw new GantryError(
      ErrorCode.DigestMismatch,
      `blob upload to ${repo.repository}: the registry stored ${header.slice(0, 80)}, ` +
        `not ${descriptor.digest}`,
      {
        hint: DIGEST_MISMATCH_HINT,
        details: { expected: descriptor.digest.toString(), actual: header.slice(0, 80) },
      },
    );
  }
}

/** Resolved against the URL that answered, keeping its query (BR-19). */
export function nextLocation(response: RegistryResponse, current: string): string {
  const header = response.headers.location;
  return header === undefined ? current : resolveLocation(header, response.url);
}

function worthResuming(error: unknown): boolean {
  if (!(error instanceof GantryError)) return true;
  if (error instanceof RegistryError) {
    return error.retryable || error.status === 404 || error.status === 416;
  }
  return error.code === ErrorCode.Network || error.code === ErrorCode.Timeout;
}

async function openAt(source: BlobSource, offset: number): Promise<Readable> {
  if (source instanceof Uint8Array) return Readable.from([source.subarray(offset)]);
  return await source.open(offset);
}

function checkBytes(bytes: Uint8Array, descriptor: BlobDescriptor): void {
  if (bytes.byteLength !== descriptor.size)
    throw sizeMismatch(descriptor, bytes.byteLength);
  descriptor.digest.verify(bytes, `blob ${descriptor.digest}`);
}

function checkLength(descriptor: BlobDescriptor, length: number): void {
  if (length > descriptor.size) throw sizeMismatch(descriptor, length);
}

function sizeMismatch(descriptor: BlobDescriptor, actual: number): GantryError {
  const more = actual > descriptor.size;
  return new GantryError(
    ErrorCode.SizeMismatch,
    `blob ${descriptor.digest}: the source holds ${more ? 'more than ' : ''}${actual}` +
      ` bytes, the descriptor says ${descriptor.size}`,
    { details: { expected: descriptor.size, actual } },
  );
}
