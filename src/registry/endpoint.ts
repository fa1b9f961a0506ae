import { readFileSync } from 'node:fs';
import { ErrorCode, GantryError } from '../errors.js';
import { DOCKER_HUB, DOCKER_HUB_API_HOST } from '../reference/index.js';
import { isLoopbackRegistry } from '../reference/reference.js';

export { isLoopbackRegistry };

/**
 * Where a registry's API answers and how to reach it: the base URL (Docker
 * Hub's API host; HTTP or HTTPS) and extra trust.
 */

/** auto: plain HTTP for loopback registries (as Docker does), HTTPS otherwise. */
export type PlainHttp = 'auto' | 'always' | 'never';

/** What the session knows about one registry when it picks HTTP or HTTPS. */
export interface SchemeChoice {
  /** Registries named with `--plain-http`, or one mode for every registry. */
  plainHttp?: readonly string[] | PlainHttp | undefined;
  /** Registries named with `--insecure-registry`: HTTPS, unverified. */
  insecure?: readonly string[] | undefined;
  hasCaFile: boolean;
}

/**
 * The scheme mode for one registry. Named with `--plain-http`: HTTP, as in
 * oras and regctl. Named insecure or given a CA file: HTTPS, since whoever
 * trusts a certificate or skips its check expects one. Otherwise `auto`:
 * loopback is plain HTTP, as Docker treats loopback registries as insecure.
 */
export function schemeMode(registry: string, choice: SchemeChoice): PlainHttp {
  const { plainHttp } = choice;
  if (typeof plainHttp === 'string') return plainHttp;
  if (plainHttp?.includes(registry)) return 'always';
  if (choice.hasCaFile || choice.insecure?.includes(registry)) return 'never';
  return 'auto';
}

/**
 * The base URL of a registry's API, e.g. `https://registry-1.docker.io`.
 * `auto` picks plain HTTP for a loopback registry unless it has a CA of its
 * own: whoever names a CA for a registry expects a certificate to check.
 */
export function registryBaseUrl(
  registry: string,
  plainHttp: PlainHttp | undefined,
  hasCaFile = false,
) {
  const host = registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
  const auto = (plainHttp ?? 'auto') === 'auto';
  const plain =
    plainHttp === 'always' || (auto && !hasCaFile && isLoopbackRegistry(host));
  return `${plain ? 'http' : 'https'}://${host}`;
}

/**
 * What Go's net/http answers (status 400) to plain HTTP sent to a TLS port,
 * as a distribution registry with `http.tls` does.
 */
const GO_HTTPS_ONLY_TEXT = 'client sent an http request to an https server';

/**
 * A 400 answer to plain HTTP from a server that only speaks HTTPS. The
 * answer to a HEAD has no body to hold the text; Go's answer is then told
 * by having no header at all, where a registry's own 400 always has some.
 */
export function isHttpsOnlyAnswer(
  status: number,
  body: string,
  headers: Record<string, string> = {},
): boolean {
  if (status !== 400) return false;
  if (body.toLowerCase().includes(GO_HTTPS_ONLY_TEXT)) return true;
  return body === '' && Object.keys(headers).length === 0;
}

/** The error for a registry reached over HTTP that speaks HTTPS. */
export function httpsOnlyError(registry: string, what: string): GantryError {
  return new GantryError(
    ErrorCode.Tls,
    `${registry} speaks HTTPS, but was sent plain HTTP (${what})`,
    {
      details: { registry },
      hint:
        `trust its CA with --ca-file ${registry}=PEM, or use HTTPS without ` +
        `verification with --insecure-registry ${registry}`,
    },
  );
}

/** The PEM text of a registry's extra CA file, read when the session is made. */
export function readCaFile(
  registry: string,
  path: string | undefined,
): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new GantryError(
      ErrorCode.Tls,
      `cannot read the CA file ${path} for ${registry}`,
      {
        cause: error,
        hint: `check the path given with --ca-file ${registry}=PEM-FILE`,
      },
    );
  }
}
