import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCode, GantryError, isGantryError } from '../errors.js';

/**
 * Making a layout's folders, one level at a time. `mkdir` with `recursive`
 * is not used: on Node 20.20 it never settles for a path under `/proc`, and
 * its errors do not say which level failed. Each failure becomes a layout
 * error naming the layout and the level, never an internal error.
 */

/** What each refusal means for the user, by errno code. */
const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'the operating system does not allow it there',
  EROFS: 'the filesystem is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  ENOENT: 'the parent folder does not accept new folders',
};

/** How a failure to make a folder is told: by what the folder is for. */
export interface FolderErrors {
  /** The filesystem refused at `at` (permissions, read-only, full). */
  refused(error: unknown, at: string): Error;
  /** `at` is a file where a folder must be. */
  notAFolder(at: string): Error;
}

/** Creates `path` and any missing parent folders; existing folders are kept. */
export async function makeFolders(path: string, layout: string): Promise<void> {
  await makeFoldersFor(path, {
    refused: (error, at) => layoutCreateError(error, layout, at),
    notAFolder: (at) => notAFolder(at, layout),
  });
}

/** As makeFolders, for any folder: `errors` say what it was for. */
export async function makeFoldersFor(path: string, errors: FolderErrors): Promise<void> {
  const missing: string[] = [];
  for (let at = path; ; at = dirname(at)) {
    const info = await stat(at).catch((error: unknown) => error as NodeJS.ErrnoException);
    if (!(info instanceof Error)) {
      if (!info.isDirectory()) throw errors.notAFolder(at);
      break;
    }
    // ENOTDIR: a level above is a file; the walk up finds which one.
    if (info.code !== 'ENOENT' && info.code !== 'ENOTDIR') {
      throw errors.refused(info, at);
    }
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const folder of missing) await makeFolder(folder, errors);
}

async function makeFolder(folder: string, errors: FolderErrors): Promise<void> {
  try {
    await mkdir(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Another process may have made it meanwhile; a file of that name is no folder.
    if (code === 'ENOTDIR') throw errors.notAFolder(folder);
    if (code !== 'EEXIST') throw errors.refused(error, folder);
    const info = await stat(folder);
    if (!info.isDirectory()) throw errors.notAFolder(folder);
  }
}

/** Why the filesystem refused, in words, from an error's errno code. */
export function refusalReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code !== undefined && REASONS[code]) || 'the filesystem refused';
}

/**
 * A filesystem failure while creating a layout as a GantryError: ENOTDIR
 * and EEXIST (a file where a folder must be) are input errors, the rest
 * (permissions, read-only or full disks) a failure to create. GantryErrors
 * pass through unchanged.
 */
export function layoutCreateError(error: unknown, layout: string, at: string): Error {
  if (isGantryError(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOTDIR' || code === 'EEXIST') return notAFolder(at, layout);
  const reason = refusalReason(error);
  return new GantryError(
    ErrorCode.LayoutCreate,
    `cannot create the OCI layout ${layout}: ${reason} (${code ?? 'error'} at ${at})`,
    {
      hint: 'choose a folder you can write to, e.g. oci:./out, or fix its permissions',
      cause: error,
    },
  );
}

function notAFolder(at: string, layout: string): GantryError {
  return new GantryError(
    ErrorCode.InvalidLayout,
    `cannot create the OCI layout ${layout}: ${at} is a file, not a folder`,
    { hint: 'an OCI layout is a folder; choose a path whose parents are folders' },
  );
}
