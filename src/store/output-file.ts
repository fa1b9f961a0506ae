import { dirname } from 'node:path';
import { ErrorCode, GantryError, isGantryError } from '../errors.js';
import { makeFoldersFor, refusalReason } from './layout-create.js';

/**
 * Files gantry writes on request (an archive, a build's metadata file): the
 * folder they go in is made when missing, as `mkdir -p` would and as an
 * `oci:` layout is, and every filesystem failure names the file and the
 * path where it happened instead of surfacing as an internal error.
 */

/** Makes the folders above `file` that are missing. `what` names the file. */
export async function makeParentFolders(file: string, what: string): Promise<void> {
  await makeFoldersFor(dirname(file), {
    refused: (error, at) => outputWriteError(error, what, at),
    notAFolder: (at) =>
      new GantryError(
        ErrorCode.OutputWrite,
        `cannot write ${what}: ${at} is a file, not a folder`,
        { hint: 'choose a path whose parents are folders' },
      ),
  });
}

/**
 * A filesystem failure while writing `what` as a GantryError naming the
 * path; GantryErrors pass through unchanged.
 */
export function outputWriteError(error: unknown, what: string, at: string): Error {
  if (isGantryError(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new GantryError(
    ErrorCode.OutputWrite,
    `cannot write ${what}: ${refusalReason(error)} (${code ?? 'error'} at ${at})`,
    { hint: 'choose a folder you can write to, or fix its permissions', cause: error },
  );
}
