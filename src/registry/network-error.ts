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
    return new GantryError(
      ErrorCode.Tls,
      `TLS handshake with ${registry} failed (${code})`,
      {
        cause: error,
        details,
        hint: `if ${registry} serves plain HTTP, use --insecure-registry ${registry}`,
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
