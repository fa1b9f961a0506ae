import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ErrorCode, GantryError } from '../errors.js';
import {
  joinPath,
  type LayerEntry,
  normalizePath,
  owned,
  type PathInput,
} from './entries.js';
import { readTarEntries, type TarEntry, tarSourceFromFile } from './tar-read.js';

/** gzip's magic bytes (RFC 1952 §2.3.1). */
const GZIP_MAGIC = [0x1f, 0x8b];
/** zstd's frame magic 0xFD2FB528, little-endian (RFC 8878 §3.1.1). */
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/**
 * Entries of a tarball extracted under `destination`. Owners and modes are
 * kept unless overridden; times are not. A gzip tarball is first inflated
 * into `scratch` so its entries can be read at their offsets later.
 */
export async function entriesFromTarball(
  input: PathInput,
  inputIndex: number,
  scratch: string,
): Promise<LayerEntry[]> {
  const what = `layer input "${input.source}"`;
  const destination = normalizePath(input.destination, what);
  const tarPath = await plainTar(input.source, inputIndex, scratch, what);

  const handle = await open(tarPath, 'r');
  try {
    const byPath = new Map<string, LayerEntry>();
    for await (const tarEntry of readTarEntries(tarSourceFromFile(handle), what)) {
      const path = joinPath(destination, normalizePath(tarEntry.path, what));
      if (path === '') continue;
      byPath.set(path, toEntry(tarEntry, path, tarPath, byPath, input, inputIndex, what));
    }
    return [...byPath.values()];
  } finally {
    await handle.close();
  }
}

function toEntry(
  tarEntry: TarEntry,
  path: string,
  tarPath: string,
  byPath: Map<string, LayerEntry>,
  input: PathInput,
  inputIndex: number,
  what: string,
): LayerEntry {
  const base = { path, mode: tarEntry.mode, uid: tarEntry.uid, gid: tarEntry.gid };
  switch (tarEntry.type) {
    case 'directory':
      return owned({ ...base, type: 'directory', size: 0 }, input);
    case 'symlink':
      return owned(
        { ...base, type: 'symlink', size: 0, linkTarget: tarEntry.linkTarget },
        input,
      );
    case 'file':
      return owned(
        {
          ...base,
          type: 'file',
          size: tarEntry.size,
          content: { kind: 'file', path: tarPath, offset: tarEntry.dataOffset },
        },
        input,
      );
    case 'hardlink':
      return linkedFile(tarEntry, path, byPath, input, inputIndex, what);
    default:
      throw new GantryError(
        ErrorCode.BuildInput,
        `${what}: "${tarEntry.path}" is a device or pipe, which layers do not carry`,
        { hint: 'remove device and pipe entries from the tarball' },
      );
  }
}

/**
 * A tar hard link joins the link group of its target, an earlier regular
 * file of the same tar. Content is shared, so the group survives even when
 * a later entry replaces the target's name (BR-24: links follow content).
 */
function linkedFile(
  tarEntry: TarEntry,
  path: string,
  byPath: Map<string, LayerEntry>,
  input: PathInput,
  inputIndex: number,
  what: string,
): LayerEntry {
  const destination = normalizePath(input.destination, what);
  const targetPath = joinPath(
    destination,
    normalizePath(tarEntry.linkTarget ?? '', what),
  );
  const target = byPath.get(targetPath);
  if (target === undefined || target.type !== 'file') {
    throw new GantryError(
      ErrorCode.InvalidArchive,
      `${what}: hard link "${tarEntry.path}" points at "${tarEntry.linkTarget}", ` +
        'which is not an earlier regular file in the tarball',
      { hint: 'write the tarball again with tar, which puts a link after its file' },
    );
  }
  target.linkGroup ??= `${inputIndex}:tar:${targetPath}`;
  const { linkGroup, content, size } = target;
  const mode = tarEntry.mode === 0 ? target.mode : tarEntry.mode;
  const fields = { path, type: 'file' as const, mode, size, content, linkGroup };
  return owned({ ...fields, uid: target.uid, gid: target.gid }, input);
}

async function plainTar(
  source: string,
  inputIndex: number,
  scratch: string,
  what: string,
): Promise<string> {
  const magic = await firstBytes(source, what);
  if (startsWith(magic, ZSTD_MAGIC)) {
    throw new GantryError(
      ErrorCode.Unsupported,
      `${what}: zstd tarballs are not supported`,
      {
        hint: 'decompress it first (zstd -d) or give a plain or gzip tarball',
      },
    );
  }
  if (!startsWith(magic, GZIP_MAGIC)) return source;

  const inflated = join(scratch, `input-${inputIndex}.tar`);
  await pipeline(createReadStream(source), createGunzip(), createWriteStream(inflated));
  return inflated;
}

async function firstBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    const handle = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (cause) {
    throw new GantryError(ErrorCode.BuildInput, `${what}: cannot read the tarball`, {
      hint: 'check that the source path exists and is readable',
      cause,
    });
  }
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((byte, i) => bytes[i] === byte);
}
