import { Readable } from 'node:stream';
import { ErrorCode, GantryError } from '../errors.js';
import { DIGEST_MISMATCH_HINT, Digest } from '../oci/digest.js';
import type { Reference } from '../reference/reference.js';
import type { RegistryResponse, RegistrySession } from './types.js';

/**
 * Blob reads (distribution-spec, "Pulling blobs"): HEAD for presence and
 * size, GET streamed and verified. Redirects to blob storage are followed by
 * the session; the effective URL does not matter here.
 */

/** What a blob read needs to know: the digest and size from its descriptor. */
export interface BlobDescriptor {
  digest: Digest;
  size: number;
}

/**
 * How many times a blob read continues with `Range` after the connection
 * dropped mid-body. Each attempt resumes where the last stopped, so a few
 * cover a flaky network without looping forever on a broken one.
 */
export const MAX_BLOB_RESUMES = 5;

/** The size of the blob, or undefined when the repository does not have it. */
export async function headBlob(
  session: RegistrySession,
  repo: Reference,
  digest: Digest,
): Promise<{ size: number } | undefined> {
  const response = await session.request({
    method: 'HEAD',
    url: `/v2/${repo.repository}/blobs/${digest}`,
    scopes: [repo.scope(['pull'])],
    expect: [200, 404],
    operation: `blob head ${digest}`,
  });
  await response.dump();
  if (response.status === 404) return undefined;

  const size = Number(response.headers['content-length']);
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new GantryError(
      ErrorCode.InvalidHeader,
      `blob ${digest} in ${repo.repository}: HEAD answered without a Content-Length`,
      { hint: 'a proxy in front of the registry drops headers: ask its operator' },
    );
  }
  return { size };
}

/**
 * A stream of the blob's bytes from `offset`. The stream fails with
 * TrailingData as soon as the registry sends more than `size` bytes, with
 * ShortRead when it ends early, and with DigestMismatch when the bytes do not
 * hash to the digest. The digest is checked only when reading from offset 0:
 * a caller that starts later holds the first bytes and checks them itself.
 * A connection that drops mid-body is continued with `Range` (RFC 9110
 * §14.2) up to MAX_BLOB_RESUMES times.
 */
export async function getBlob(
  session: RegistrySession,
  repo: Reference,
  descriptor: BlobDescriptor,
  options: { offset?: number } = {},
): Promise<Readable> {
  const offset = options.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > descriptor.size) {
    throw new GantryError(
      ErrorCode.Usage,
      `blob ${descriptor.digest}: offset ${offset} is outside 0..${descriptor.size}`,
    );
  }
  const first = await requestFrom(session, repo, descriptor, offset);
  const bytes = verifiedBytes(session, repo, descriptor, offset, first);
  return Readable.from(bytes, { objectMode: false });
}

async function* verifiedBytes(
  session: RegistrySession,
  repo: Reference,
  descriptor: BlobDescriptor,
  offset: number,
  first: Opened,
): AsyncGenerator<Buffer> {
  const what = `blob ${descriptor.digest} in ${repo.repository}`;
  const hasher = offset === 0 ? Digest.hasher(descriptor.digest.algorithm) : undefined;
  let received = offset;
  let opened = first;

  for (let resumes = 0; ; resumes++) {
    try {
      // A consumer that stops early ends this loop, which destroys the body.
      for await (const chunk of opened.response.body) {
        let bytes = chunk as Buffer;
        // A registry that ignored Range resends from 0: skip what we have.
        if (opened.skip > 0) {
          const skipped = Math.min(opened.skip, bytes.length);
          opened.skip -= skipped;
          bytes = bytes.subarray(skipped);
        }
        if (received + bytes.length > descriptor.size) throw trailing(what, descriptor);
        hasher?.update(bytes);
        received += bytes.length;
        if (bytes.length > 0) yield bytes;
      }
      break;
    } catch (error) {
      if (!isDrop(error) || received === descriptor.size) throw error;
      if (resumes >= MAX_BLOB_RESUMES) throw dropped(what, received, error);
      opened = await requestFrom(session, repo, descriptor, received);
    }
  }

  if (received < descriptor.size) {
    throw new GantryError(
      ErrorCode.ShortRead,
      `${what}: the registry sent ${received} of ${descriptor.size} bytes`,
      {
        details: { expected: descriptor.size, received },
        hint: 'the connection ended early: run the command again to resume',
      },
    );
  }
  const actual = hasher?.digest();
  if (actual !== undefined && !actual.equals(descriptor.digest)) {
    throw new GantryError(
      ErrorCode.DigestMismatch,
      `${what}: the bytes received hash to ${actual}`,
      {
        hint: DIGEST_MISMATCH_HINT,
        details: { expected: descriptor.digest.toString(), actual: actual.toString() },
      },
    );
  }
}

interface Opened {
  response: RegistryResponse;
  /** Bytes to drop from the front: the registry answered 200 to a Range. */
  skip: number;
}

async function requestFrom(
  session: RegistrySession,
  repo: Reference,
  descriptor: BlobDescriptor,
  offset: number,
): Promise<Opened> {
  const response = await session.request({
    method: 'GET',
    url: `/v2/${repo.repository}/blobs/${descriptor.digest}`,
    headers: offset === 0 ? {} : { range: `bytes=${offset}-` },
    scopes: [repo.scope(['pull'])],
    expect: offset === 0 ? [200] : [200, 206],
    operation: `blob get ${descriptor.digest}`,
  });
  if (response.status === 200) return { response, skip: offset };

  checkContentRange(response, descriptor, offset);
  return { response, skip: 0 };
}

/** `Content-Range: bytes <first>-<last>/<complete>` (RFC 9110 §14.4). */
function checkContentRange(
  response: RegistryResponse,
  descriptor: BlobDescriptor,
  offset: number,
): void {
  const header = response.headers['content-range'] ?? '';
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim());
  const total = match?.[3] === '*' ? descriptor.size : Number(match?.[3]);
  if (match !== null && Number(match[1]) === offset && total === descriptor.size) return;

  response.body.destroy();
  throw new GantryError(
    ErrorCode.Registry,
    `blob ${descriptor.digest}: asked for bytes ${offset}- and got Content-Range ` +
      `"${header.slice(0, 80)}"`,
    { hint: 'the registry or a proxy mangles range requests: retry without resuming' },
  );
}

/** A failure of the connection, not of the content: worth continuing. */
function isDrop(error: unknown): boolean {
  if (!(error instanceof GantryError)) return true;
  return error.code === ErrorCode.Network || error.code === ErrorCode.Timeout;
}

function trailing(what: string, descriptor: BlobDescriptor): GantryError {
  return new GantryError(
    ErrorCode.TrailingData,
    `${what}: the registry sent more than the ${descriptor.size} bytes of the descriptor`,
    {
      details: { expected: descriptor.size },
      hint: 'the registry serves other content under this digest: tell its operator',
    },
  );
}

function dropped(what: string, received: number, cause: unknown): GantryError {
  return new GantryError(
    ErrorCode.Network,
    `${what}: the connection dropped after ${received} bytes, ${MAX_BLOB_RESUMES} times`,
    { hint: 'check the network or the registry, then try again', cause },
  );
}
