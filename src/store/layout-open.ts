import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, GantryError } from '../errors.js';
import { layoutCreateError, makeFolders } from './layout-create.js';
import {
  BLOBS_DIR,
  INDEX_FILE,
  LAYOUT_FILE,
  LAYOUT_VERSION,
  writeFileAtomic,
} from './layout-files.js';
import { emptyLayoutIndex, serializeLayoutIndex } from './layout-index.js';
import { withLayoutLock } from './layout-lock.js';

/**
 * Opening a layout folder: checks the `oci-layout` file (image-layout.md,
 * "oci-layout file": `{"imageLayoutVersion": "1.0.0"}`) and, when asked to
 * create, makes the folder, that file, `blobs/` and an empty index.json,
 * keeping whatever is already there.
 */
export async function openLayoutFolder(path: string, create: boolean): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info !== undefined && !info.isDirectory()) {
    throw new GantryError(ErrorCode.InvalidLayout, `${path} is not a folder`, {
      hint: 'an OCI layout is a folder; for a tar file use oci-archive:',
    });
  }
  if (info === undefined && !create) {
    throw new GantryError(ErrorCode.NotFound, `no OCI layout at ${path}`, {
      hint: 'check the path, or write to it first to create it',
    });
  }

  if (create) await initialise(path);
  await checkLayoutFile(path);
}

async function initialise(path: string): Promise<void> {
  try {
    await createFiles(path);
  } catch (error) {
    throw layoutCreateError(error, path, path);
  }
}

async function createFiles(path: string): Promise<void> {
  await makeFolders(join(path, BLOBS_DIR), path);
  if (!(await isFile(join(path, LAYOUT_FILE)))) {
    await writeFileAtomic(join(path, LAYOUT_FILE), layoutHeaderBytes());
  }
  // Only a missing index.json needs the lock (another process may be
  // creating the same layout): opening an existing layout never waits.
  if (await isFile(join(path, INDEX_FILE))) return;
  await withLayoutLock(path, async () => {
    if (await isFile(join(path, INDEX_FILE))) return;
    const bytes = serializeLayoutIndex(emptyLayoutIndex());
    await writeFileAtomic(join(path, INDEX_FILE), bytes);
  });
}

async function checkLayoutFile(path: string): Promise<void> {
  const file = join(path, LAYOUT_FILE);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) {
    throw new GantryError(ErrorCode.InvalidLayout, `${path} has no ${LAYOUT_FILE} file`, {
      hint: 'not an OCI image layout: copy or release into it first, or check the path',
    });
  }
  checkLayoutHeader(text, file);
}

/** Throws InvalidLayout unless `text` is an `oci-layout` file gantry reads. */
export function checkLayoutHeader(text: string, where: string): void {
  let version: unknown;
  try {
    version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
  } catch {
    version = undefined;
  }
  if (version === LAYOUT_VERSION) return;
  throw new GantryError(
    ErrorCode.InvalidLayout,
    `${where}: expected imageLayoutVersion "${LAYOUT_VERSION}", ` +
      `got ${JSON.stringify(version) ?? 'nothing'}`,
    { hint: 'gantry reads OCI image layouts of version 1.0.0' },
  );
}

/** The bytes of a new `oci-layout` file. */
export function layoutHeaderBytes(): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION }));
}

async function isFile(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() === true;
}
