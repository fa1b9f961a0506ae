import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Header, pack } from 'tar-stream';
import { INDEX_FILE, LAYOUT_FILE } from './layout-files.js';
import { makeParentFolders, outputWriteError } from './output-file.js';

/**
 * Writing an OCI archive (a tar of an OCI image layout). The output is
 * deterministic: the same entries always give the same bytes. Entries come
 * in a fixed order (`oci-layout`, `index.json`, then the rest by name, each
 * folder just before what it holds) and every header carries the same
 * owner, time and modes, whoever wrote it and when.
 *
 * The tar is written to a temporary file beside `file` and renamed over
 * it at the end, so readers see the old archive or the new one, whole.
 */

/** Epoch 0: the time of every entry, so the tar does not depend on the clock. */
export const ARCHIVE_ENTRY_TIME = new Date(0);
/** rw-r--r--: files are content, never executable. */
export const ARCHIVE_FILE_MODE = 0o644;
/** rwxr-xr-x: folders must be searchable. */
export const ARCHIVE_FOLDER_MODE = 0o755;

const COMMON_HEADER = {
  mtime: ARCHIVE_ENTRY_TIME,
  uid: 0,
  gid: 0,
  uname: '',
  gname: '',
} satisfies Partial<Header>;

/** One file to write: its name in the layout, its size and its bytes. */
export interface PackEntry {
  readonly name: string;
  readonly size: number;
  open(): Readable;
}

export async function packArchive(
  entries: readonly PackEntry[],
  file: string,
): Promise<void> {
  const what = `the archive ${file}`;
  await makeParentFolders(file, what);
  const temporary = join(
    dirname(file),
    `.${basename(file)}.${randomBytes(8).toString('hex')}.tmp`,
  );
  // Opened before the first byte is packed, so a folder that refuses the
  // file is reported as such, not as a broken stream.
  const handle = await open(temporary, 'wx').catch((error: unknown) => {
    throw outputWriteError(error, what, temporary);
  });
  const tar = pack();
  const writing = pipeline(tar, handle.createWriteStream());

  try {
    const folders = new Set<string>();
    for (const entry of inArchiveOrder(entries)) {
      addFolders(tar, folders, entry.name);
      const sink = tar.entry({
        ...COMMON_HEADER,
        name: entry.name,
        size: entry.size,
        type: 'file',
        mode: ARCHIVE_FILE_MODE,
      });
      await pipeline(entry.open(), sink);
    }
    tar.finalize();
    await writing;
    await rename(temporary, file);
  } catch (error) {
    tar.destroy();
    await writing.catch(() => undefined);
    await rm(temporary, { force: true });
    throw isWriteFailure(error) ? outputWriteError(error, what, file) : error;
  }
}

/** A failure of the archive's own file (a full disk), not of what is read into it. */
function isWriteFailure(error: unknown): boolean {
  const syscall = (error as NodeJS.ErrnoException | undefined)?.syscall;
  return syscall === 'write' || syscall === 'rename' || syscall === 'close';
}

/** `oci-layout` and `index.json` first, then by name (code-unit order). */
function inArchiveOrder(entries: readonly PackEntry[]): PackEntry[] {
  const rank = (name: string) => (name === LAYOUT_FILE ? 0 : name === INDEX_FILE ? 1 : 2);
  return [...entries].sort((a, b) => {
    const byRank = rank(a.name) - rank(b.name);
    if (byRank !== 0) return byRank;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** An entry for each folder above `name` not written yet. */
function addFolders(tar: ReturnType<typeof pack>, written: Set<string>, name: string) {
  const parts = name.split('/').slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const folder = `${parts.slice(0, i).join('/')}/`;
    if (written.has(folder)) continue;
    written.add(folder);
    tar.entry({
      ...COMMON_HEADER,
      name: folder,
      type: 'directory',
      mode: ARCHIVE_FOLDER_MODE,
    });
  }
}
