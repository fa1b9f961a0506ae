import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Digest } from '../oci/digest.js';
import { LAYER_FORMAT_VERSION, layerCacheKey } from './cache-key.js';
import type { LayerInput } from './entries.js';
import { type BuildLayerOptions, buildLayer, type LayerResult } from './layer.js';
import { layerMediaType, resolveEpoch } from './layer-options.js';

/**
 * The local layer cache: a built layer blob kept under the key of its
 * inputs (cache-key.ts), next to a small JSON of its LayerResult. A hit
 * compresses nothing and gives the very same blob. Entries are written to
 * a temp name and renamed (atomic within one file system), so a reader
 * never sees half an entry; an entry that does not check out (missing,
 * unreadable, wrong size or digest) is ignored and built again.
 */

/** Under $XDG_CACHE_HOME (XDG Base Directory spec), else ~/.cache. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'gantry', 'layers');
}

/** A layer blob on disk; `owned` when it is a temp file the caller removes. */
export interface LayerFile extends LayerResult {
  path: string;
  cached: boolean;
  owned: boolean;
}

export interface CachedBuildOptions extends BuildLayerOptions {
  /** The cache folder, or false for none. */
  cacheDir: string | false;
}

/** The layer for `inputs`, from the cache when it has it, else built (and kept). */
export async function cachedLayer(
  inputs: readonly LayerInput[],
  options: CachedBuildOptions,
): Promise<LayerFile> {
  const { cacheDir, ...layerOptions } = options;
  if (cacheDir === false) {
    const built = await buildLayer(inputs, layerOptions);
    return { ...built, path: built.path ?? '', cached: false, owned: true };
  }

  const epoch = resolveEpoch(options.epoch);
  const settings = { compression: options.compression, level: options.level, epoch };
  const key = await layerCacheKey(inputs, settings);
  const entry = entryPaths(cacheDir, key);
  const hit = await readEntry(entry);
  if (hit !== undefined) {
    // The blob is the same for either family; only the name of its type differs.
    const mediaType = layerMediaType(options.family ?? 'oci', options.compression);
    return { ...hit, mediaType, path: entry.blob, cached: true, owned: false };
  }

  // Platforms are built at once, and often share a layer: one compresses it.
  const pending = building.get(entry.blob);
  if (pending !== undefined) {
    const mediaType = layerMediaType(options.family ?? 'oci', options.compression);
    return {
      ...(await pending),
      mediaType,
      path: entry.blob,
      cached: true,
      owned: false,
    };
  }
  const fill = fillEntry(inputs, { ...layerOptions, epoch }, cacheDir, entry);
  building.set(entry.blob, fill);
  try {
    return { ...(await fill), path: entry.blob, cached: false, owned: false };
  } finally {
    building.delete(entry.blob);
  }
}

/** Entries being filled in this process, by blob path. */
const building = new Map<string, Promise<LayerResult>>();

async function fillEntry(
  inputs: readonly LayerInput[],
  options: BuildLayerOptions,
  cacheDir: string,
  entry: EntryPaths,
): Promise<LayerResult> {
  await mkdir(cacheDir, { recursive: true });
  const built = await buildLayer(inputs, { ...options, tempDir: cacheDir });
  await rename(built.path ?? '', entry.blob);
  await writeAtomically(entry.json, JSON.stringify(entryJson(built)));
  return built;
}

interface EntryPaths {
  blob: string;
  json: string;
}

function entryPaths(dir: string, key: string): EntryPaths {
  return { blob: join(dir, `${key}.blob`), json: join(dir, `${key}.json`) };
}

function entryJson(layer: LayerResult): Record<string, unknown> {
  return {
    format: LAYER_FORMAT_VERSION,
    mediaType: layer.mediaType,
    digest: `${layer.digest}`,
    size: layer.size,
    diffId: `${layer.diffId}`,
    uncompressedSize: layer.uncompressedSize,
  };
}

async function readEntry(entry: EntryPaths): Promise<LayerResult | undefined> {
  try {
    const json = JSON.parse(await readFile(entry.json, 'utf8')) as Record<
      string,
      unknown
    >;
    if (json.format !== LAYER_FORMAT_VERSION) return undefined;
    const layer: LayerResult = {
      mediaType: String(json.mediaType),
      digest: Digest.parse(String(json.digest)),
      size: Number(json.size),
      diffId: Digest.parse(String(json.diffId)),
      uncompressedSize: Number(json.uncompressedSize),
    };
    const info = await stat(entry.blob);
    if (info.size !== layer.size) return undefined;

    // A damaged blob must not be served: hashing is far cheaper than compressing.
    const hash = createHash('sha256');
    await pipeline(createReadStream(entry.blob), hash);
    const actual = `sha256:${hash.digest('hex')}`;
    return actual === `${layer.digest}` ? layer : undefined;
  } catch {
    return undefined;
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, text, { flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
