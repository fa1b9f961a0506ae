import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCode, GantryError } from '../../../src/index.js';

/**
 * Downloads into a cache: a file that is there and matches its expected
 * SHA-256 is used as it is, so a second run needs no network. Every file
 * is checked before it is kept; a bad download is never cached.
 */

/** What a downloaded file must be; `sha256` undefined means "any bytes". */
export interface Expected {
  sha256?: string;
  size?: number;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bytes of `url`, from `path` when cached and valid, else fetched. */
export async function cachedDownload(
  url: string,
  path: string,
  expected: Expected,
): Promise<Uint8Array> {
  const cached = await readFile(path).catch(() => undefined);
  if (cached !== undefined && matches(cached, expected)) return cached;

  const bytes = await download(url);
  check(bytes, expected, url);
  await mkdir(dirname(path), { recursive: true });
  // Unique per writer: two processes may fill the same cache at once.
  const partial = `${path}.${randomUUID()}.partial`;
  await writeFile(partial, bytes);
  await rename(partial, path);
  return bytes;
}

async function download(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new GantryError(ErrorCode.Network, `cannot reach ${url}`, {
      hint: 'check the network, or set DEBIAN_MIRROR to a reachable Debian mirror',
      cause,
    });
  }
  if (!response.ok) {
    throw new GantryError(ErrorCode.NotFound, `${url} answered ${response.status}`, {
      hint: 'the Debian archive moved on: remove examples/esbuild/.cache and run again',
    });
  }
  return new Uint8Array(await response.arrayBuffer());
}

function matches(bytes: Uint8Array, expected: Expected): boolean {
  if (expected.size !== undefined && bytes.length !== expected.size) return false;
  return expected.sha256 === undefined || sha256Hex(bytes) === expected.sha256;
}

function check(bytes: Uint8Array, expected: Expected, url: string): void {
  if (expected.size !== undefined && bytes.length !== expected.size) {
    throw new GantryError(
      ErrorCode.SizeMismatch,
      `${url}: ${bytes.length} bytes, the archive index says ${expected.size}`,
      { hint: 'run again; if it persists the mirror is inconsistent' },
    );
  }
  const actual = expected.sha256 === undefined ? undefined : sha256Hex(bytes);
  if (actual !== undefined && actual !== expected.sha256) {
    throw new GantryError(
      ErrorCode.DigestMismatch,
      `${url}: SHA-256 ${actual}, the archive index says ${expected.sha256}`,
      { hint: 'run again; if it persists the mirror is inconsistent' },
    );
  }
}
