import { ErrorCode, GantryError } from '../errors.js';
import type { Digest } from '../oci/digest.js';

/**
 * Upload URLs and ranges: resolving `Location` (RFC 3986 §5, RFC 7231
 * §7.1.2), adding the `digest` query of the closing PUT (distribution-spec
 * "Pushing a blob"), and the inclusive byte ranges of chunked uploads.
 *
 * URLs are handled as strings, never parsed into `URL` and printed again:
 * registries put opaque, already-encoded state in the query (`_state=abc%3D`)
 * and it must go back byte for byte.
 */

/** RFC 3986 Appendix B: scheme, authority, path, query, fragment. */
const URI_PARTS = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;
const ALLOWED_SCHEMES: ReadonlySet<string> = new Set(['http', 'https']);

interface UriParts {
  scheme: string | undefined;
  authority: string | undefined;
  path: string;
  query: string | undefined;
  fragment: string | undefined;
}

function splitUri(text: string): UriParts {
  const match = URI_PARTS.exec(text)!;
  return {
    scheme: match[1]?.toLowerCase(),
    authority: match[2],
    path: match[3] ?? '',
    query: match[4],
    fragment: match[5],
  };
}

/**
 * `location` resolved against the URL that answered (after redirects), as
 * RFC 3986 §5.2.2 says. The result keeps every byte of `location` it takes;
 * only dot segments are removed. The fragment is dropped (never sent).
 */
export function resolveLocation(location: string, effectiveUrl: string): string {
  if (location === '' || hasControlOrSpace(location)) {
    throw headerError(
      `a Location or Link target ${JSON.stringify(location)} is not a URI`,
    );
  }
  const base = splitUri(effectiveUrl);
  if (base.scheme === undefined || base.authority === undefined) {
    throw new GantryError(ErrorCode.Internal, `base URL ${effectiveUrl} is not absolute`);
  }

  const target = resolveParts(splitUri(location), base);
  if (!ALLOWED_SCHEMES.has(target.scheme ?? '') || !target.authority) {
    throw headerError(
      `the registry pointed to ${JSON.stringify(location)}, not an HTTP URL`,
    );
  }
  const query = target.query === undefined ? '' : `?${target.query}`;
  return `${target.scheme}://${target.authority}${target.path}${query}`;
}

/** A URI-reference holds no spaces or control characters (RFC 3986 §2). */
function hasControlOrSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** RFC 3986 §5.2.2, "Transform References", the strict variant. */
function resolveParts(ref: UriParts, base: UriParts): UriParts {
  if (ref.scheme !== undefined) return { ...ref, path: removeDotSegments(ref.path) };
  if (ref.authority !== undefined) {
    return { ...ref, scheme: base.scheme, path: removeDotSegments(ref.path) };
  }
  if (ref.path === '') {
    return { ...base, query: ref.query ?? base.query, fragment: ref.fragment };
  }
  const path = ref.path.startsWith('/') ? ref.path : mergePaths(base, ref.path);
  return {
    ...base,
    path: removeDotSegments(path),
    query: ref.query,
    fragment: ref.fragment,
  };
}

/** RFC 3986 §5.2.3. */
function mergePaths(base: UriParts, path: string): string {
  if (base.authority !== undefined && base.path === '') return `/${path}`;
  return `${base.path.slice(0, base.path.lastIndexOf('/') + 1)}${path}`;
}

/** RFC 3986 §5.2.4, done on whole segments. */
function removeDotSegments(path: string): string {
  if (!path.includes('.')) return path;
  const absolute = path.startsWith('/');
  const segments = (absolute ? path.slice(1) : path).split('/');
  const output: string[] = [];
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '..') {
      output.pop();
      if (last) output.push('');
    } else if (segment === '.') {
      if (last) output.push('');
    } else {
      output.push(segment);
    }
  });
  return `${absolute ? '/' : ''}${output.join('/')}`;
}

/**
 * The URL of the PUT that closes an upload: the upload URL with its query
 * kept verbatim and `digest=<digest>` appended (BR-19). The fragment, if
 * any, is dropped.
 */
export function withDigestQuery(uploadUrl: string, digest: Digest): string {
  const hash = uploadUrl.indexOf('#');
  const url = hash < 0 ? uploadUrl : uploadUrl.slice(0, hash);
  const param = `digest=${encodeURIComponent(digest.toString())}`;
  if (!url.includes('?')) return `${url}?${param}`;
  return url.endsWith('?') || url.endsWith('&') ? `${url}${param}` : `${url}&${param}`;
}

/** An inclusive byte range `start-end` of an upload. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The `Range` header of an upload response (distribution-spec: `0-<last
 * byte>`, inclusive). `bytes=0-3` and `bytes 0-3` are accepted too; a missing
 * header gives undefined, a malformed one GANTRY_E_HEADER.
 */
export function parseRange(header: string | undefined): ByteRange | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const match = /^\s*(?:bytes\s*[= ]\s*)?([0-9]{1,15})\s*-\s*([0-9]{1,15})\s*$/i.exec(
    header,
  );
  const start = Number(match?.[1]);
  const end = Number(match?.[2]);
  if (match === null || end < start) {
    throw headerError(`upload Range ${JSON.stringify(header)} is not "start-end"`);
  }
  return { start, end };
}

/**
 * Where the next chunk starts, from an upload's `Range` header.
 *
 * distribution answers `0-0` both for an empty session (right after POST)
 * and for a session holding one byte, because it reports
 * `0-max(size-1, 0)`. So `0-0` means offset 0 unless the caller knows it
 * already sent bytes (`uploadedSoFar` ≥ 1), in which case it means 1.
 * Without a header the registry said nothing: the caller's count stands.
 */
export function nextOffset(
  rangeHeader: string | undefined,
  uploadedSoFar?: number,
): number {
  const range = parseRange(rangeHeader);
  if (range === undefined) return uploadedSoFar ?? 0;
  if (range.end === 0) return uploadedSoFar !== undefined && uploadedSoFar >= 1 ? 1 : 0;
  return range.end + 1;
}

/**
 * The `Content-Range` of a PATCH chunk: both ends inclusive, so 4 bytes at
 * offset 0 are `0-3` (distribution-spec "Pushing a blob in chunks"; BR-20).
 */
export function contentRange(start: number, endInclusive: number): string {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(endInclusive)) {
    throw new GantryError(ErrorCode.Internal, `content range ${start}-${endInclusive}`);
  }
  if (start < 0 || endInclusive < start) {
    throw new GantryError(
      ErrorCode.Internal,
      `empty content range ${start}-${endInclusive}`,
    );
  }
  return `${start}-${endInclusive}`;
}

/** `contentRange` of `length` bytes sent at `offset`. */
export function chunkRange(offset: number, length: number): string {
  return contentRange(offset, offset + length - 1);
}

function headerError(message: string): GantryError {
  return new GantryError(ErrorCode.InvalidHeader, message, {
    hint: 'the registry sent a header that breaks the HTTP or distribution specs',
  });
}
