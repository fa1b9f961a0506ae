import { type Stats, statSync } from 'node:fs';

/**
 * What a reference's text names on disk, asked while the reference is read
 * (the split of `oci:` and `docker-archive:` forms depends on it). Any
 * failure (missing, a path under a file, out of reach) reads as nothing.
 */
export function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

export function isFileAt(path: string): boolean {
  return statOrUndefined(path)?.isFile() === true;
}
