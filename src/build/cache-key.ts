import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, GantryError } from '../errors.js';
import type { LayerInput } from './entries.js';
import { DEFAULT_GZIP_LEVEL } from './gzip-parallel.js';
import { DEFAULT_ZSTD_LEVEL, type LayerCompression } from './layer-options.js';

/**
 * The cache key of a layer: a SHA-256 over everything that decides its
 * bytes. File contents are hashed (mtimes are never trusted: a checkout or
 * a restored cache gives new ones), and with them names, types, modes,
 * symlink targets, which files share an inode (hard links, BR-24), the
 * destination paths, owners and modes the inputs set, the epoch, the
 * compression and level, and gantry's layer format version. Source folder
 * locations are left out, so the same files elsewhere give the same key.
 */

/**
 * Bumped whenever the bytes gantry writes for the same inputs change (tar
 * layout, gzip framing, default modes): old entries then stop matching.
 */
export const LAYER_FORMAT_VERSION = 1;

/** The permission bits kept in a tar header (ustar `mode`: 07777). */
const MODE_BITS = 0o7777;

export interface LayerKeySettings {
  compression: LayerCompression;
  level: number | undefined;
  epoch: number;
}

export async function layerCacheKey(
  inputs: readonly LayerInput[],
  settings: LayerKeySettings,
): Promise<string> {
  const described: unknown[] = [];
  for (const input of inputs) described.push(await describeInput(input));
  const key = {
    format: LAYER_FORMAT_VERSION,
    compression: settings.compression,
    level: levelOf(settings),
    epoch: settings.epoch,
    inputs: described,
  };
  return createHash('sha256').update(JSON.stringify(key, sortedFields)).digest('hex');
}

/**
 * The level the layer is compressed at, a default resolved: an entry made
 * before a default changed must not match (DEFAULT_GZIP_LEVEL went from 6
 * to 4), and `--compression-level 4` shares the default's entries.
 */
function levelOf(settings: LayerKeySettings): number | null {
  if (settings.level !== undefined) return settings.level;
  if (settings.compression === 'gzip') return DEFAULT_GZIP_LEVEL;
  if (settings.compression === 'zstd') return DEFAULT_ZSTD_LEVEL;
  return null;
}

/** JSON.stringify replacer: object keys in sorted order, so field order is moot. */
function sortedFields(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const object = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((k) => [k, object[k]]),
  );
}

async function describeInput(input: LayerInput): Promise<unknown> {
  if ('content' in input) {
    const { content, ...rest } = input;
    return { ...rest, content: sha256(content) };
  }
  if ('source' in input) {
    const { source, ...rest } = input;
    return { ...rest, tree: await describeTree(source) };
  }
  return input;
}

/** A file, or a folder's entries in name order, as what the layer keeps of them. */
async function describeTree(path: string): Promise<unknown[]> {
  const top = await stat(path).catch((cause: unknown) => {
    throw missing(path, cause);
  });
  if (!top.isDirectory())
    return [['', 'file', top.mode & MODE_BITS, await hashFile(path)]];

  const rows: unknown[] = [];
  const inodes = new Map<string, string>();
  await walk(path, '', rows, inodes);
  return rows;
}

async function walk(
  folder: string,
  prefix: string,
  rows: unknown[],
  inodes: Map<string, string>,
): Promise<void> {
  const names = (await readdir(folder)).sort();
  for (const name of names) {
    const full = join(folder, name);
    const relative = prefix === '' ? name : `${prefix}/${name}`;
    const stats = await lstat(full);
    const mode = stats.mode & MODE_BITS;

    if (stats.isDirectory()) {
      rows.push([relative, 'dir', mode]);
      await walk(full, relative, rows, inodes);
    } else if (stats.isSymbolicLink()) {
      rows.push([relative, 'symlink', await readlink(full)]);
    } else {
      const inode = `${stats.dev}:${stats.ino}`;
      const first = stats.nlink > 1 ? inodes.get(inode) : undefined;
      if (stats.nlink > 1 && first === undefined) inodes.set(inode, relative);
      rows.push([relative, 'file', mode, await hashFile(full), first ?? null]);
    }
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

function missing(path: string, cause: unknown): GantryError {
  return new GantryError(ErrorCode.BuildInput, `layer input "${path}" cannot be read`, {
    hint: 'check that the path exists and is readable',
    cause,
  });
}
