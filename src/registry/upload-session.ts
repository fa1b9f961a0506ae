import { ErrorCode, GantryError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { Reference } from '../reference/reference.js';
import { resolveLocation } from './location.js';
import { RegistryError } from './registry-error.js';
import type { RegistryResponse, RegistrySession } from './types.js';

/**
 * Upload sessions (distribution-spec, "Pushing blobs"): opening one,
 * mounting a blob from another repository instead, and cancelling a
 * session that will not be finished. upload.ts sends the bytes.
 */

/** An upload session the registry opened: where to send the next request. */
export interface OpenUpload {
  location: string;
}

/** `POST /v2/<name>/blobs/uploads/`; Location resolved against the URL that answered. */
export async function startUpload(
  session: RegistrySession,
  repo: Reference,
): Promise<OpenUpload> {
  const response = await session.request({
    method: 'POST',
    url: `/v2/${repo.repository}/blobs/uploads/`,
    headers: { 'content-length': '0' },
    scopes: [repo.scope(['pull', 'push'])],
    expect: [202],
    operation: `blob upload start in ${repo.repository}`,
  });
  await response.dump();
  return { location: requireLocation(response, repo) };
}

/**
 * Cross-repository mount (distribution-spec, "Mounting a blob from another
 * repository"): one token request names push and pull on the target and pull
 * on the source. True when mounted (201). When the registry opens an upload
 * session instead (202) it is cancelled; when the source is not readable or
 * lacks the blob (401, 403, 404) the answer is false: the caller uploads.
 */
export async function mountBlob(
  session: RegistrySession,
  repo: Reference,
  digest: Digest,
  from: Reference,
): Promise<boolean> {
  if (from.registry !== repo.registry) return false;
  const query =
    `mount=${encodeURIComponent(digest.toString())}` +
    `&from=${encodeURIComponent(from.repository)}`;
  let response: RegistryResponse;
  try {
    response = await session.request({
      method: 'POST',
      url: `/v2/${repo.repository}/blobs/uploads/?${query}`,
      headers: { 'content-length': '0' },
      scopes: [repo.scope(['pull', 'push']), from.scope(['pull'])],
      expect: [201, 202],
      operation: `blob mount ${digest} from ${from.repository}`,
    });
  } catch (error) {
    if (error instanceof RegistryError && [401, 403, 404].includes(error.status))
      return false;
    throw error;
  }
  await response.dump();
  if (response.status === 201) return true;

  await cancelUpload(session, repo, requireLocation(response, repo));
  return false;
}

/**
 * `DELETE <location>`: frees an upload session that will not be finished.
 * Best effort: the upload already failed or is not wanted, and a registry
 * expires abandoned sessions on its own, so a failure here is not reported.
 */
export async function cancelUpload(
  session: RegistrySession,
  repo: Reference,
  location: string,
): Promise<void> {
  try {
    const response = await session.request({
      method: 'DELETE',
      url: location,
      scopes: [repo.scope(['pull', 'push'])],
      expect: [200, 202, 204, 404],
      operation: 'blob upload cancel',
    });
    await response.dump();
  } catch {
    // See above: nothing to do about a session that cannot be cancelled.
  }
}

function requireLocation(response: RegistryResponse, repo: Reference): string {
  const header = response.headers.location;
  if (header !== undefined) return resolveLocation(header, response.url);
  throw new GantryError(
    ErrorCode.Registry,
    `blob upload in ${repo.repository}: the registry opened an upload without a Location`,
    { hint: 'a proxy in front of the registry drops headers: ask its operator' },
  );
}
