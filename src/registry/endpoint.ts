import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { ErrorCode, GantryError } from '../errors.js';
import { DOCKER_HUB, DOCKER_HUB_API_HOST } from '../reference/index.js';

/**
 * Where a registry's API answers and how to reach it: the base URL (Docker
 * Hub's API host, plain HTTP for loopback registries) and extra trust.
 */

/** auto: plain HTTP for loopback registries (as Docker does), HTTPS otherwise. */
export type PlainHttp = 'auto' | 'always' | 'never';

/** `localhost`, `127.0.0.0/8` and `[::1]`, with or without a port. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:[0-9]+$/, '').toLowerCase();
  return (
    host === 'localhost' || host === '[::1]' || (isIPv4(host) && host.startsWith('127.'))
  );
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
