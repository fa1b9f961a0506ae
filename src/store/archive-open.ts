import { stat } from 'node:fs/promises';
import { ErrorCode, GantryError } from '../errors.js';
import { MAX_MANIFEST_BYTES } from '../oci/manifest.js';
import { type ArchiveEntry, indexArchive, readArchiveEntry } from './archive-index.js';
import { INDEX_FILE, LAYOUT_FILE } from './layout-files.js';
import { type LayoutIndex, parseLayoutIndex } from './layout-index.js';
import { checkLayoutHeader } from './layout-open.js';

/** What an OCI archive holds, read without unpacking it. */
export interface ArchiveContents {
  /** Every file of the tar by name, with where its bytes are. */
  entries: Map<string, ArchiveEntry>;
  /** Its index.json. */
  index: LayoutIndex;
}

/** Indexes the tar and reads its `oci-layout` and `index.json`. */
export async function readArchive(file: string): Promise<ArchiveContents> {
  const entries = await indexArchive(file);
  const header = entries.get(LAYOUT_FILE);
  const index = entries.get(INDEX_FILE);
  if (header === undefined || index === undefined) {
    throw new GantryError(
      ErrorCode.InvalidArchive,
      `${file} has no ${header === undefined ? LAYOUT_FILE : INDEX_FILE} entry`,
      { hint: 'an OCI archive is a tar of an OCI image layout, with those at its top' },
    );
  }
  const where = `oci-archive:${file}`;
  const headerText = new TextDecoder().decode(await entryBytes(file, header));
  checkLayoutHeader(headerText, `${where} ${LAYOUT_FILE}`);
  const bytes = await entryBytes(file, index);
  return { entries, index: parseLayoutIndex(bytes, `${where} ${INDEX_FILE}`) };
}

/**
 * The whole of a small entry. index.json of a layout holding many images is
 * still far below the manifest limit; a larger one is refused.
 */
async function entryBytes(file: string, entry: ArchiveEntry): Promise<Uint8Array> {
  if (entry.size > MAX_MANIFEST_BYTES) {
    throw new GantryError(
      ErrorCode.InvalidArchive,
      `${file}: ${entry.name} is ${entry.size} bytes, over ${MAX_MANIFEST_BYTES}`,
      { hint: 'this is no image archive a build tool wrote: check the file' },
    );
  }
  const parts: Buffer[] = [];
  for await (const chunk of readArchiveEntry(file, entry)) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/**
 * Whether the archive `file` (an absolute path) is there to be read. A
 * missing one is refused as not found unless `create` allows starting it;
 * `kind` names the archive in the message, e.g. `OCI archive`.
 */
export async function archiveFileExists(
  file: string,
  kind: string,
  create: boolean,
): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined && !create) {
    throw new GantryError(ErrorCode.NotFound, `no ${kind} at ${file}`, {
      hint: 'check the path, or write to it first to create it',
    });
  }
  return info !== undefined;
}
