import type { FileHandle } from 'node:fs/promises';
import { ErrorCode, GantryError } from '../errors.js';
import {
  bad,
  checkChecksum,
  cString,
  type Pending,
  parseNumber,
  parsePax,
} from './tar-fields.js';
import { BLOCK_SIZE, padding } from './tar-header.js';

/**
 * A tar reader for layer inputs and for checking what gantry wrote. It reads
 * headers only and reports where each entry's data lies, so content can be
 * streamed from the source later. It accepts ustar (with its `prefix`
 * field), pax extended headers (`path`, `linkpath`, `size`, `uid`, `gid`,
 * `mtime`) and GNU `././@LongLink` names and link names (BR-26).
 */

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  /** The name without a leading `./` or `/` and without a trailing `/`. */
  path: string;
  type: TarEntryType;
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  /** Symlink target or hard link target, as written. */
  linkTarget: string | undefined;
  /** Offset of the first data byte in the source. */
  dataOffset: number;
}

/** Random-access bytes: a file or a buffer. Returns fewer bytes at the end. */
export interface TarSource {
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function tarSourceFromBytes(bytes: Uint8Array): TarSource {
  return { read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

export function tarSourceFromFile(handle: FileHandle): TarSource {
  return {
    async read(offset, length) {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    },
  };
}

/** Longest pax or GNU long-name body accepted: names are bounded by PATH_MAX. */
const MAX_EXTENSION_SIZE = 1024 * 1024;

/** The entries of a tar, in order. `what` names the tar in errors. */
export async function* readTarEntries(
  source: TarSource,
  what: string,
): AsyncGenerator<TarEntry> {
  let offset = 0;
  let pending: Pending = {};
  for (;;) {
    const block = await source.read(offset, BLOCK_SIZE);
    if (block.length === 0 || isZero(block)) return;
    if (block.length < BLOCK_SIZE) throw bad(what, 'ends inside a header', offset);
    checkChecksum(block, what, offset);

    const typeflag = String.fromCharCode(block[156]!);
    const size = parseNumber(block.subarray(124, 136), what, offset);
    const dataOffset = offset + BLOCK_SIZE;
    offset = dataOffset + size + padding(size);

    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
      const body = await readExtension(source, dataOffset, size, what);
      if (typeflag === 'x') pending = { ...pending, ...parsePax(body, what) };
      if (typeflag === 'L') pending.path = cString(body);
      if (typeflag === 'K') pending.linkpath = cString(body);
      // A global header ('g') sets defaults nobody relies on in layers.
      continue;
    }
    const entry = parseEntry(block, typeflag, dataOffset, pending, what);
    offset = dataOffset + entry.size + padding(entry.size);
    pending = {};
    yield entry;
  }
}

function parseEntry(
  block: Uint8Array,
  typeflag: string,
  dataOffset: number,
  pending: Pending,
  what: string,
): TarEntry {
  // POSIX ustar has "ustar\0"; GNU's "ustar " uses the prefix bytes otherwise.
  const isUstar = text(block.subarray(257, 262)) === 'ustar' && block[262] === 0;
  const prefix = isUstar ? text(block.subarray(345, 500)) : '';
  const name = text(block.subarray(0, 100));
  const rawPath = pending.path ?? (prefix === '' ? name : `${prefix}/${name}`);
  const type = entryType(typeflag, rawPath, what, dataOffset);
  const linkname = text(block.subarray(157, 257));
  const link = pending.linkpath ?? linkname;
  const num = (start: number, end: number) =>
    parseNumber(block.subarray(start, end), what, dataOffset);
  return {
    path: cleanPath(rawPath),
    type,
    typeflag,
    mode: num(100, 108) & 0o7777,
    uid: pending.uid ?? num(108, 116),
    gid: pending.gid ?? num(116, 124),
    // Only regular files carry data; a hard link's size field is ignored.
    size: type === 'file' ? (pending.size ?? num(124, 136)) : 0,
    mtime: pending.mtime ?? num(136, 148),
    linkTarget: type === 'symlink' || type === 'hardlink' ? link : undefined,
    dataOffset,
  };
}

function entryType(
  typeflag: string,
  path: string,
  what: string,
  at: number,
): TarEntryType {
  switch (typeflag) {
    case '0':
    case '\u0000':
    case '7':
      return path.endsWith('/') ? 'directory' : 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '5':
      return 'directory';
    case '3':
    case '4':
    case '6':
      return 'other';
    default:
      throw new GantryError(
        ErrorCode.Unsupported,
        `${what}: unsupported tar entry type "${typeflag}" for "${path}" at byte ${at}`,
        { hint: 'rewrite the tarball with POSIX (pax) format, e.g. tar --format=pax' },
      );
  }
}

async function readExtension(
  source: TarSource,
  offset: number,
  size: number,
  what: string,
): Promise<Uint8Array> {
  if (size > MAX_EXTENSION_SIZE)
    throw bad(what, 'has an oversized extended header', offset);
  const body = await source.read(offset, size);
  if (body.length < size) throw bad(what, 'ends inside an extended header', offset);
  return body;
}

function cleanPath(path: string): string {
  let clean = path;
  while (clean.startsWith('./')) clean = clean.slice(2);
  while (clean.startsWith('/')) clean = clean.slice(1);
  while (clean.endsWith('/')) clean = clean.slice(0, -1);
  return clean;
}

function text(field: Uint8Array): string {
  return cString(field);
}

function isZero(block: Uint8Array): boolean {
  return block.every((byte) => byte === 0);
}
