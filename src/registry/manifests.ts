import type { Readable } from 'node:stream';
import { ErrorCode, GantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { DIGEST_MISMATCH_HINT, Digest } from '../oci/digest.js';
import { MAX_MANIFEST_BYTES, type Manifest, parseManifest } from '../oci/manifest.js';
import { MANIFEST_ACCEPT } from '../oci/mediatype.js';
import type { Reference } from '../reference/reference.js';
import { RegistryError } from './registry-error.js';
import type { RegistryResponse, RegistrySession } from './types.js';

/**
 * Manifests over the distribution API (distribution-spec, "Pulling
 * manifests", "Pushing manifests", "Deleting manifests"). Bytes are the
 * truth: what is pushed is the caller's exact bytes, what is returned is the
 * registry's exact bytes, and every digest is computed over those bytes.
 */

/** What a push sends: exact bytes and the media type that goes in Content-Type. */
export interface ManifestBytes {
  bytes: Uint8Array;
  mediaType: string;
}

/** The Accept header of every manifest request (see MANIFEST_ACCEPT). */
const ACCEPT = MANIFEST_ACCEPT.join(', ');

/** The manifest `ref` names; a 404 is the registry's error (GANTRY_E_NOT_FOUND). */
export async function getManifest(
  session: RegistrySession,
  ref: Reference,
): Promise<Manifest> {
  return (await fetchManifest(session, ref, false))!;
}

/** Like getManifest, but a manifest the registry does not have is undefined. */
export function findManifest(
  session: RegistrySession,
  ref: Reference,
): Promise<Manifest | undefined> {
  return fetchManifest(session, ref, true);
}

async function fetchManifest(
  session: RegistrySession,
  ref: Reference,
  missingIsUndefined: boolean,
): Promise<Manifest | undefined> {
  const response = await session.request({
    method: 'GET',
    url: manifestUrl(ref),
    headers: { accept: ACCEPT },
    scopes: [ref.scope(['pull'])],
    expect: missingIsUndefined ? [200, 404] : [200],
    operation: `manifest get ${ref}`,
  });
  if (response.status === 404) {
    await response.dump();
    return undefined;
  }

  const bytes = await readManifestBody(response, `manifest ${ref}`);
  ref.digest?.verify(bytes, `manifest ${ref}`);
  checkDigestHeader(response, bytes, `manifest ${ref}`);
  return parseManifest(bytes, {
    contentType: response.headers['content-type'],
    expectedDigest: ref.digest,
  });
}

/** The descriptor of the manifest `ref` names, or undefined on 404. */
export async function headManifest(
  session: RegistrySession,
  ref: Reference,
): Promise<Descriptor | undefined> {
  const response = await session.request({
    method: 'HEAD',
    url: manifestUrl(ref),
    headers: { accept: ACCEPT },
    scopes: [ref.scope(['pull'])],
    expect: [200, 404],
    operation: `manifest head ${ref}`,
  });
  await response.dump();
  if (response.status === 404) return undefined;

  const header = response.headers['docker-content-digest'];
  const digest = header === undefined ? ref.digest : parseDigestHeader(header);
  if (digest === undefined) {
    // The registry did not say which digest the tag resolves to: read it.
    return describe(await getManifest(session, ref));
  }
  if (ref.digest !== undefined && !ref.digest.equals(digest)) {
    throw mismatch(`manifest ${ref}`, ref.digest, digest);
  }
  return {
    mediaType: withoutParameters(response.headers['content-type'] ?? ''),
    digest,
    size: contentLength(response, `manifest ${ref}`),
  };
}

/**
 * Pushes exact bytes to the tag or digest `ref` names and returns their
 * digest. With both a tag and a digest the tag is written, after checking
 * that the bytes have that digest (field case BR-04).
 */
export async function putManifest(
  session: RegistrySession,
  ref: Reference,
  manifest: ManifestBytes,
): Promise<Digest> {
  const what = `manifest ${ref}`;
  if (manifest.bytes.byteLength > MAX_MANIFEST_BYTES) throw tooLarge(what);
  const digest = Digest.of(manifest.bytes, ref.digest?.algorithm);
  ref.digest?.verify(manifest.bytes, what);

  const response = await session.request({
    method: 'PUT',
    url: `/v2/${ref.repository}/manifests/${ref.tag ?? digest}`,
    headers: {
      'content-type': manifest.mediaType,
      'content-length': String(manifest.bytes.byteLength),
    },
    body: manifest.bytes,
    scopes: [ref.scope(['pull', 'push'])],
    expect: [200, 201],
    operation: `manifest put ${ref}`,
  });
  await response.dump();
  checkDigestHeader(response, manifest.bytes, what);
  return digest;
}

/**
 * Deletes the manifest `ref` names. A tag is first resolved with HEAD; then
 * the tag itself is deleted when the registry allows it. Registries that
 * delete only by digest (distribution 2.8: 400 DIGEST_INVALID; others 405 or
 * UNSUPPORTED) get a delete by digest, which removes every tag on that
 * digest: `deletedByTag: false` tells the caller so.
 */
export async function deleteManifest(
  session: RegistrySession,
  ref: Reference,
): Promise<{ digest: Digest; deletedByTag: boolean }> {
  if (ref.digest !== undefined) {
    await deleteAt(session, ref, ref.digest.toString());
    return { digest: ref.digest, deletedByTag: false };
  }

  const descriptor = await headManifest(session, ref);
  if (descriptor === undefined) {
    throw new GantryError(
      ErrorCode.NotFound,
      `manifest ${ref} not found: nothing to delete`,
      { hint: `check the tag; gantry tags ${ref.name} lists them` },
    );
  }
  try {
    await deleteAt(session, ref, ref.tag ?? '');
    return { digest: descriptor.digest, deletedByTag: true };
  } catch (error) {
    if (!refusesTagDelete(error)) throw error;
  }
  await deleteAt(session, ref, descriptor.digest.toString());
  return { digest: descriptor.digest, deletedByTag: false };
}

async function deleteAt(session: RegistrySession, ref: Reference, target: string) {
  const response = await session.request({
    method: 'DELETE',
    url: `/v2/${ref.repository}/manifests/${target}`,
    scopes: [ref.scope(['delete'])],
    expect: [200, 202],
    operation: `manifest delete ${ref}`,
  });
  await response.dump();
}

function refusesTagDelete(error: unknown): boolean {
  if (!(error instanceof RegistryError)) return false;
  if (error.status === 405 || error.has('UNSUPPORTED')) return true;
  return error.status === 400 && error.has('DIGEST_INVALID');
}

/** By digest when the reference has one (the digest wins, BR-04), else by tag. */
function manifestUrl(ref: Reference): string {
  const target = ref.digest?.toString() ?? ref.tag;
  if (target === undefined) {
    throw new GantryError(ErrorCode.InvalidReference, `${ref} names no tag or digest`, {
      hint: 'add :TAG or @sha256:... to the reference',
    });
  }
  return `/v2/${ref.repository}/manifests/${target}`;
}

/**
 * Reads at most MAX_MANIFEST_BYTES: a larger Content-Length is refused before
 * reading, and a body that grows past the limit is refused while reading.
 */
export async function readManifestBody(
  response: RegistryResponse,
  what: string,
): Promise<Uint8Array> {
  const declared = response.headers['content-length'];
  if (declared !== undefined && Number(declared) > MAX_MANIFEST_BYTES) {
    response.body.destroy();
    throw tooLarge(what);
  }
  return readLimited(response.body, MAX_MANIFEST_BYTES, () => tooLarge(what));
}

async function readLimited(
  body: Readable,
  limit: number,
  onOver: () => Error,
): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      body.destroy();
      throw onOver();
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** The registry's Docker-Content-Digest, when sent, must match the bytes. */
function checkDigestHeader(response: RegistryResponse, bytes: Uint8Array, what: string) {
  const header = response.headers['docker-content-digest'];
  if (header === undefined) return;
  const claimed = parseDigestHeader(header);
  const actual = Digest.of(bytes, claimed.algorithm);
  if (!actual.equals(claimed)) throw mismatch(what, actual, claimed);
}

function parseDigestHeader(header: string): Digest {
  if (Digest.isValid(header.trim())) return Digest.parse(header.trim());
  throw new GantryError(
    ErrorCode.InvalidHeader,
    `registry sent an invalid Docker-Content-Digest "${header.slice(0, 80)}"`,
  );
}

function mismatch(what: string, expected: Digest, actual: Digest): GantryError {
  return new GantryError(
    ErrorCode.DigestMismatch,
    `${what}: digest ${actual} does not match the expected ${expected}`,
    {
      details: { expected: expected.toString(), actual: actual.toString() },
      hint: DIGEST_MISMATCH_HINT,
    },
  );
}

function tooLarge(what: string): GantryError {
  return new GantryError(
    ErrorCode.ManifestTooLarge,
    `${what} is larger than ${MAX_MANIFEST_BYTES} bytes`,
    { hint: 'registries refuse manifests over 4 MiB: split the index or the layers' },
  );
}

function contentLength(response: RegistryResponse, what: string): number {
  const size = Number(response.headers['content-length']);
  if (Number.isSafeInteger(size) && size >= 0) return size;
  throw new GantryError(
    ErrorCode.InvalidHeader,
    `${what}: registry sent no Content-Length`,
  );
}

function withoutParameters(contentType: string): string {
  return contentType.split(';')[0]?.trim() ?? '';
}

function describe(manifest: Manifest): Descriptor {
  return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size };
}
