import { access, constants, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCode, GantryError } from '../errors.js';
import { makeParentFolders, outputWriteError } from '../store/output-file.js';
import type { DigestRecord } from './build-output.js';

/**
 * `gantry build --push-by-digest REPO --metadata-file FILE`: the file is
 * written after the push, so its folder is made and checked before the
 * build starts. A push whose record cannot be kept is refused before it
 * happens, not lost after it.
 */

/** Makes the file's missing folders and checks the file can be written there. */
export async function prepareMetadataFile(file: string): Promise<void> {
  const what = metadataWhat(file);
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory() === true || /[\\/]$/.test(file) || file === '') {
    throw new GantryError(
      ErrorCode.OutputWrite,
      `cannot write ${what}: it names a folder, not a file`,
      { hint: 'give a file name, e.g. --metadata-file digests-amd64.json' },
    );
  }
  await makeParentFolders(file, what);
  // An existing file must be writable itself; a new one needs its folder writable.
  const at = existing === undefined ? dirname(file) : file;
  await access(at, constants.W_OK).catch((error: unknown) => {
    throw outputWriteError(error, what, at);
  });
}

export async function writeMetadataFile(
  file: string,
  records: DigestRecord[],
): Promise<void> {
  await writeFile(file, `${JSON.stringify(records, null, 2)}\n`).catch(
    (error: unknown) => {
      throw outputWriteError(error, metadataWhat(file), file);
    },
  );
}

function metadataWhat(file: string): string {
  return `the metadata file ${file}`;
}
