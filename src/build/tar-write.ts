import { open } from 'node:fs/promises';
import { ErrorCode, GantryError } from '../errors.js';
import type { LayerEntry } from './entries.js';
import {
  encodeHeader,
  endOfArchive,
  padding,
  type TarHeader,
  TypeFlag,
} from './tar-header.js';

/** Read size for file content: large enough to keep syscalls few. */
const READ_CHUNK = 1024 * 1024;

/**
 * The tar bytes of `entries`, in their order, every entry stamped with
 * `mtime`. Directories are named with a trailing `/` as GNU tar and Go's
 * archive/tar write them. File content is read as it is written, and a file
 * that changed size since it was listed fails the build instead of writing
 * a tar whose headers lie.
 */
export async function* tarChunks(
  entries: readonly LayerEntry[],
  mtime: number,
): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    yield encodeHeader(headerOf(entry, mtime));
    if (entry.type !== 'file' || entry.size === 0) continue;
    yield* contentChunks(entry);
    const pad = padding(entry.size);
    if (pad > 0) yield Buffer.alloc(pad);
  }
  yield endOfArchive();
}

function headerOf(entry: LayerEntry, mtime: number): TarHeader {
  const common = { mode: entry.mode, uid: entry.uid, gid: entry.gid, mtime };
  switch (entry.type) {
    case 'directory':
      return { ...common, name: `${entry.path}/`, typeflag: TypeFlag.Directory, size: 0 };
    case 'symlink':
      return { ...common, ...link(entry), typeflag: TypeFlag.Symlink };
    case 'hardlink':
      return { ...common, ...link(entry), typeflag: TypeFlag.HardLink };
    case 'file':
      return { ...common, name: entry.path, typeflag: TypeFlag.File, size: entry.size };
  }
}

function link(entry: LayerEntry): { name: string; size: number; linkname: string } {
  return { name: entry.path, size: 0, linkname: entry.linkTarget ?? '' };
}

async function* contentChunks(entry: LayerEntry): AsyncGenerator<Buffer> {
  const content = entry.content;
  if (content === undefined) throw changed(entry, 'has no content');
  if (content.kind === 'bytes') {
    if (content.bytes.length !== entry.size) throw changed(entry, 'changed size');
    yield Buffer.from(
      content.bytes.buffer,
      content.bytes.byteOffset,
      content.bytes.length,
    );
    return;
  }

  const handle = await open(content.path, 'r');
  try {
    let done = 0;
    while (done < entry.size) {
      const want = Math.min(READ_CHUNK, entry.size - done);
      const buffer = Buffer.allocUnsafe(want);
      const { bytesRead } = await handle.read(buffer, 0, want, content.offset + done);
      if (bytesRead === 0)
        throw changed(entry, 'became shorter while the layer was written');
      done += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

function changed(entry: LayerEntry, problem: string): GantryError {
  return new GantryError(ErrorCode.BuildInput, `layer entry "${entry.path}" ${problem}`, {
    hint: 'do not change input files while a layer is being built',
  });
}
