import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, posix, resolve } from 'node:path';
import { ErrorCode, GantryError } from '../errors.js';
import { Digest } from '../oci/digest.js';

/**
 * The digests of the files a release places in an image, named by their
 * path in the image (never by where they are on this machine, so no home
 * folder reaches an attestation). A folder source contributes every
 * regular file under it.
 */

export interface PlacedFile {
  /** Path in the image, absolute POSIX. */
  path: string;
  digest: Digest;
}

export async function digestPlacedFiles(
  files: readonly { source: string; target: string }[],
  baseDir: string,
): Promise<PlacedFile[]> {
  const placed: PlacedFile[] = [];
  for (const file of files) {
    const source = isAbsolute(file.source) ? file.source : resolve(baseDir, file.source);
    await walk(source, posix.join('/', file.target), placed);
  }
  return placed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function walk(source: string, path: string, out: PlacedFile[]): Promise<void> {
  const info = await stat(source).catch((cause: unknown) => {
    throw new GantryError(ErrorCode.BuildInput, `cannot read ${path}'s source`, {
      hint: 'check that the release file names files that exist',
      cause,
    });
  });
  if (info.isFile()) {
    out.push({ path, digest: await digestFile(source) });
    return;
  }
  if (!info.isDirectory()) return;
  const names = (await readdir(source)).sort();
  for (const name of names) await walk(join(source, name), posix.join(path, name), out);
}

async function digestFile(path: string): Promise<Digest> {
  const hasher = Digest.hasher();
  for await (const chunk of createReadStream(path)) hasher.update(chunk as Buffer);
  return hasher.digest();
}
