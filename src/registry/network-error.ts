import { ErrorCode, GantryError } from '../errors.js';

/**
 * Turns a failure below HTTP (TLS, connection, timeout) into a GantryError
 * that says which registry failed and how to fix it.
 */

/** Codes Node and OpenSSL give certificate problems, beyond the ERR_TLS_ prefix. */
const CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'HOSTNAME_MISMATCH',
]);

const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * OpenSSL reads an HTTP answer as a TLS record with a bad version (or an
 * absurd length): the server speaks plain HTTP on that port.
 */
const PLAIN_HTTP_CODES: ReadonlySet<string> = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
]);

function looksLikePlainHttp(code: string, error: unknown): boolean {
  if (PLAIN_HTTP_CODES.has(code)) return true;
  return describeCause(error).toLowerCase().includes('wrong version number');
}

/** The first `code` found on the error or its causes. */
export function errorCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (
    let depth = 0;
    depth < 5 && typeof current === 'object' && current !== null;
    depth++
  ) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('GANTRY_')) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function describeCause(error: unknown): string {
  const code = errorCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return code === undefined ? message : `${code}: ${message}`;
}

/** `target` is the redacted URL; `registry` names the registry in hints. */
export function networkError(
  error: unknown,
  method: string,
  target: string,
  registry: string,
): GantryError {
  const code = errorCodeOf(error) ?? '';
  const what = `${method} ${target}`;
  const details = { method, url: target, cause: code };
  if (code.startsWith('ERR_SSL_')) {
    const plain = looksLikePlainHttp(code, error);
    return new GantryError(
      ErrorCode.Tls,
      plain
        ? `${registry} answered the TLS handshake in plain HTTP (${code}) for ${what}`
        : `TLS handshake with ${registry} failed (${code}) for ${what}`,
      {
        cause: error,
        details,
        hint: plain
          ? `${registry} serves plain HTTP: use --plain-http ${registry}`
          : `check the TLS set-up of ${registry}; if it serves plain HTTP, ` +
            `use --plain-http ${registry}`,
      },
    );
  }
  if (code.startsWith('ERR_TLS_') || CERTIFICATE_CODES.has(code)) {
    return new GantryError(
      ErrorCode.Tls,
      `the TLS certificate of ${registry} was not accepted (${code}) for ${what}`,
      {
        cause: error,
        details,
        hint:
          `trust its CA with --ca-file ${registry}=PEM-FILE, or skip verification ` +
          `with --insecure-registry ${registry}`,
      },
    );
  }
  if (TIMEOUT_CODES.has(code)) {
    return new GantryError(ErrorCode.Timeout, `${what} timed out (${code})`, {
      cause: error,
      details,
      hint: `check that ${registry} is reachable and not overloaded`,
    });
  }
  return new GantryError(ErrorCode.Network, `${what} failed: ${describeCause(error)}`, {
    cause: error,
    details,
    hint: `check that ${registry} is reachable from this machine`,
  });
}
