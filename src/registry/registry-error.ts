import type { Readable } from 'node:stream';
import { ErrorCode, GantryError, type GantryErrorOptions } from '../errors.js';
import { redactUrl } from './redact.js';

/**
 * An error answer from a registry, keeping what the registry said: the
 * status, the method, the redacted URL and the `errors[]` of the body
 * (distribution-spec, "Error Codes").
 */

/** One entry of the distribution-spec error body `{"errors": [...]}`. */
export interface RegistryErrorEntry {
  code: string;
  message: string;
  detail: unknown;
}

/**
 * Error bodies are small JSON documents; a registry that sends more is sending
 * something else (an HTML page), and the rest is not worth holding in memory.
 */
/**
 * How to give gantry credentials, for hints: gantry has no login command of
 * its own, so name the ways it reads them (README, "Global options").
 */
export function credentialsHint(registry = 'the registry'): string {
  return (
    `give gantry credentials for ${registry}: --username USER --password-stdin, ` +
    `GANTRY_USERNAME and GANTRY_PASSWORD, or docker login (gantry reads its config.json)`
  );
}

export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Statuses worth another try: the registry or a proxy in front is overloaded. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

const STATUS_CODES: Record<number, string> = {
  401: ErrorCode.Unauthorized,
  403: ErrorCode.Denied,
  404: ErrorCode.NotFound,
  429: ErrorCode.TooManyRequests,
};

/** One line on how to fix each distribution-spec error code. */
const CODE_HINTS: Record<string, string> = {
  BLOB_UNKNOWN: 'the blob is not in this repository: push it first, or check the digest',
  BLOB_UPLOAD_INVALID: 'the upload session is no longer valid: start the upload again',
  BLOB_UPLOAD_UNKNOWN: 'the upload session expired or was cancelled: start it again',
  DIGEST_INVALID:
    'the content does not match the digest sent (a delete must name a digest)',
  MANIFEST_BLOB_UNKNOWN:
    'push the children first: config and layer blobs, and child manifests of an index',
  MANIFEST_INVALID:
    'the registry rejected the manifest: check that Content-Type matches its mediaType',
  MANIFEST_UNKNOWN: 'no manifest with that tag or digest: check the reference',
  NAME_INVALID:
    'repository names are lowercase letters, digits and the separators . _ - /',
  NAME_UNKNOWN: 'the repository does not exist: check its name, or push to create it',
  SIZE_INVALID: 'the length of the content does not match the size sent',
  UNAUTHORIZED: credentialsHint(),
  DENIED: 'the credentials given do not allow this operation on this repository',
  UNSUPPORTED: 'the registry does not support this operation',
  TOOMANYREQUESTS:
    'the registry is rate limiting: wait, or authenticate for a higher limit',
};

const STATUS_HINTS: Record<number, string> = {
  401: credentialsHint(),
  403: 'the credentials given do not allow this operation',
  404: 'check the repository name and the tag or digest',
  429: 'the registry is rate limiting: wait, or authenticate for a higher limit',
  400:
    'the registry refused the request as malformed (its own words are in the ' +
    'message): check the reference and, for a push, the content type and digest',
  500: 'the registry failed internally: try again later, or ask its operator',
  502: 'a proxy in front of the registry got no good answer from it: try again later',
  503: 'the registry is unavailable or overloaded: try again later',
  504: 'a proxy in front of the registry timed out waiting for it: try again later',
};

/** For statuses without a hint of their own, by class (RFC 9110 section 15). */
function classHint(status: number): string | undefined {
  if (status >= 500) {
    return 'the registry or a proxy in front of it failed: try again later';
  }
  if (status >= 400) {
    return `the registry refused the request (${status}): check the reference and flags`;
  }
  return undefined;
}

export interface RegistryErrorInit {
  status: number;
  method: string;
  /** Redacted before it is stored. */
  url: string;
  errors: RegistryErrorEntry[];
  operation?: string | undefined;
  /** Overrides for a failure the session words itself (auth): code, message, hint. */
  code?: string;
  message?: string;
  hint?: string;
  /** Applied to the message (e.g. SecretRegistry.redact). */
  redact?: ((text: string) => string) | undefined;
  cause?: unknown;
}

export class RegistryError extends GantryError {
  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly errors: RegistryErrorEntry[];

  constructor(init: RegistryErrorInit) {
    const url = redactUrl(init.url);
    const redact = init.redact ?? ((text: string) => text);
    // Registries echo what they were sent; what they said is kept, redacted.
    const errors = init.errors.map((entry) => redactEntry(entry, redact));
    const what = init.operation ?? `${init.method} ${url}`;
    const said = errors.map((e) => `${e.code}: ${e.message}`).join('; ');
    const message = redact(
      init.message ??
        `${what} failed: ${init.method} ${url} answered ${init.status}` +
          (said === '' ? '' : ` (${said})`),
    );
    const options: GantryErrorOptions = {
      hint: init.hint ?? hintFor(init.status, errors),
      cause: init.cause,
      details: { status: init.status, method: init.method, url, errors },
    };
    super(init.code ?? STATUS_CODES[init.status] ?? ErrorCode.Registry, message, options);
    this.status = init.status;
    this.method = init.method;
    this.url = url;
    this.errors = errors;
  }

  /** True when another try may succeed (overload, rate limit, gateway trouble). */
  get retryable(): boolean {
    return RETRYABLE_STATUSES.has(this.status);
  }

  /** True when the registry named this distribution-spec code. */
  has(code: string): boolean {
    return this.errors.some((entry) => entry.code === code);
  }
}

function redactEntry(
  entry: RegistryErrorEntry,
  redact: (text: string) => string,
): RegistryErrorEntry {
  let detail = entry.detail;
  if (typeof detail === 'string') detail = redact(detail);
  else if (detail !== undefined && detail !== null) {
    const text = JSON.stringify(detail);
    const redacted = redact(text);
    if (redacted !== text) detail = redacted;
  }
  return { code: entry.code, message: redact(entry.message), detail };
}

function hintFor(status: number, errors: RegistryErrorEntry[]): string | undefined {
  for (const entry of errors) {
    const hint = CODE_HINTS[entry.code];
    if (hint !== undefined) return hint;
  }
  return STATUS_HINTS[status] ?? classHint(status);
}

/**
 * Parses a distribution-spec error body. Anything else (a proxy's HTML page,
 * `404 page not found`) gives no entries: the status still says what happened.
 */
export function parseErrorBody(text: string): RegistryErrorEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof parsed !== 'object' || parsed === null) return [];
  const errors = (parsed as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
    .map((e) => ({
      code: typeof e.code === 'string' ? e.code : 'UNKNOWN',
      message: typeof e.message === 'string' ? e.message : '',
      detail: e.detail,
    }));
}

/** Reads at most MAX_ERROR_BODY_BYTES of an error body; a longer one is cut off. */
export async function readErrorBody(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    chunks.push(buffer);
    size += buffer.length;
    if (size >= MAX_ERROR_BODY_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
}
