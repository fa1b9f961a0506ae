import { stat } from 'node:fs/promises';
import { isAbsolute, posix, resolve } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { createGunzip } from 'node:zlib';
import { readTarEntries, type TarEntry, tarSourceFromBytes } from '../build/tar-read.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { ReadTarget } from '../store/target.js';
import type { PlatformImage } from './read-image.js';
import { CheckId, type Failure, type Findings } from './types.js';

/**
 * A release image's layers: a variant's lower layers are exactly its base
 * image's layers for the platform, and the top layer holds the files gantry
 * placed there, as regular files with the modes of their sources. Only the
 * top layer's tar headers are read.
 */

/** The files gantry places in an image for a platform: path in the image, source. */
export interface PlannedFile {
  target: string;
  source: string;
}

export interface LayerExpectation {
  /** The base image's layers for this platform; empty for a scratch base. */
  baseLayers: readonly Descriptor[];
  files: PlannedFile[];
  /** Where relative sources are found (the release file's folder). */
  baseDir: string;
  /** Reads a top layer's entries; topLayerEntries unless the caller shares reads. */
  readTop?: TopLayerReader;
}

/** A top layer's tar entries by path; undefined when it is not read (zstd, too large). */
export type TopLayerReader = (
  target: ReadTarget,
  layer: Descriptor,
) => Promise<Map<string, TarEntry> | undefined>;

/**
 * The largest top layer read to check its headers. gantry's top layers
 * hold the release's files (binaries, a few MiB); more than this means the
 * layer is not one gantry placed, and reading it whole would cost memory.
 */
export const MAX_TOP_LAYER_BYTES = 256 * 1024 * 1024;

/** Permission and set-id bits of a mode (POSIX `st_mode & 07777`). */
const MODE_BITS = 0o7777;

export type FailAt = (
  check: Failure['check'],
  what: string,
  expected?: string,
  actual?: string,
) => () => Failure;

/** Returns the top layer when it was read whole. */
export async function checkLayers(
  findings: Findings,
  target: ReadTarget,
  image: PlatformImage,
  expect: LayerExpectation,
  fail: FailAt,
): Promise<Descriptor | undefined> {
  const layers = image.manifest.layers;
  const lower = expect.files.length > 0 ? layers.slice(0, -1) : layers;
  const digests = (list: readonly Descriptor[]) => list.map((l) => l.digest.toString());
  findings.check(
    digests(lower).join(',') === digests(expect.baseLayers).join(','),
    fail(
      CheckId.BaseLayers,
      `${image.platform} lower layers are not the base image's`,
      digests(expect.baseLayers).join(', ') || '(none)',
      digests(lower).join(', ') || '(none)',
    ),
  );
  const top = layers.at(-1);
  if (expect.files.length === 0 || top === undefined) return undefined;
  const entries = await (expect.readTop ?? topLayerEntries)(target, top);
  if (entries === undefined) return undefined;
  checkEntryPaths(findings, entries, image.platform, fail);
  for (const file of expect.files) {
    await checkPlacedFile(
      findings,
      entries,
      file,
      expect.baseDir,
      `${image.platform}`,
      fail,
    );
  }
  // Read whole (its size checked): the caller need not ask for it again.
  return top;
}

/** Reads a top layer whole (size and digest checked by the target) for its headers. */
export const topLayerEntries: TopLayerReader = async (target, layer) => {
  // TODO(spec): zstd top layers are not read; gantry's releases write gzip.
  const gzip = layer.mediaType.endsWith('gzip');
  if (!gzip && !layer.mediaType.endsWith('tar')) return undefined;
  if (layer.size > MAX_TOP_LAYER_BYTES) return undefined;
  const stream = await target.fetch(layer);
  const bytes = await buffer(gzip ? stream.pipe(createGunzip()) : stream);
  const entries = new Map<string, TarEntry>();
  const what = `${target.description} layer ${layer.digest}`;
  for await (const entry of readTarEntries(tarSourceFromBytes(bytes), what)) {
    entries.set(entry.path, entry);
  }
  return entries;
};

/** No entry may leave the root: no `..` component, no absolute path. */
function checkEntryPaths(
  findings: Findings,
  entries: Map<string, TarEntry>,
  platform: string,
  fail: FailAt,
): void {
  for (const path of entries.keys()) {
    const escapes = path.startsWith('/') || path.split('/').includes('..');
    findings.check(
      !escapes,
      fail(CheckId.LayerFiles, `${platform} top layer path ${path}`, 'inside /', path),
    );
  }
}

async function checkPlacedFile(
  findings: Findings,
  entries: Map<string, TarEntry>,
  file: PlannedFile,
  baseDir: string,
  platform: string,
  fail: FailAt,
): Promise<void> {
  const path = posix.normalize(file.target).replace(/^\/+/, '');
  const entry = entries.get(path);
  const source = isAbsolute(file.source) ? file.source : resolve(baseDir, file.source);
  const mode = (await stat(source)).mode & MODE_BITS;
  const what = `${platform} top layer file /${path}`;
  if (
    !findings.check(
      entry?.type === 'file',
      fail(CheckId.LayerFiles, what, 'a file', entry?.type),
    )
  ) {
    return;
  }
  const actual = entry!.mode & MODE_BITS;
  findings.check(
    actual === mode,
    fail(CheckId.LayerFiles, `${what} mode`, octal(mode), octal(actual)),
  );
}

function octal(mode: number): string {
  return `0${mode.toString(8)}`;
}
