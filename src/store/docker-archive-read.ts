import { ErrorCode, GantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { MAX_MANIFEST_BYTES, type Manifest, parseManifest } from '../oci/manifest.js';
import { isManifestType } from '../oci/mediatype.js';
import type { ArchiveEntry } from './archive-index.js';
import {
  type BlobMap,
  bytesSource,
  digestOf,
  digestOfBlobName,
  entrySource,
  fetchWhole,
} from './docker-archive-blobs.js';
import {
  DOCKER_MANIFEST_FILE,
  type DockerSaveEntry,
  parseDockerManifest,
} from './docker-archive-manifest.js';
import type { ArchiveImage } from './docker-archive-names.js';
import { type StoredBlob, synthesiseManifest } from './docker-archive-synth.js';
import { isReferrersTag } from './docker-archive-tagging.js';
import { indexDockerTar } from './docker-archive-tar.js';
import { INDEX_FILE } from './layout-files.js';
import { emptyLayoutIndex, type LayoutIndex, parseLayoutIndex } from './layout-index.js';

/**
 * Reading a docker-save archive of either layout into what a target
 * serves: blobs by digest, and one image manifest per manifest.json entry.
 *
 * - Before Docker 25: `<id>.json` configs and `<id>/layer.tar` layers, with
 *   no manifests; their digests are computed by reading each file once.
 * - Docker 25+: an OCI image layout (`blobs/sha256/...`, index.json) plus
 *   manifest.json pointing into `blobs/`. The blob names give the digests
 *   (every read is verified). When index.json lists a manifest for the
 *   entry's config whose every blob is here, its exact bytes are the image.
 *
 * Otherwise the image gets a manifest made from the files (see
 * docker-archive-synth.ts).
 */

export interface DockerArchiveContents {
  blobs: BlobMap;
  images: ArchiveImage[];
  /**
   * The entries of index.json that stand on their own: those without a
   * name and those named by the referrers tag schema. Its image entries
   * are left out: they follow manifest.json, and are remade from it when
   * the archive is written again.
   */
  index: LayoutIndex;
}

export async function readDockerArchive(
  file: string,
  where: string,
): Promise<DockerArchiveContents> {
  const entries = await indexDockerTar(file);
  const blobs: BlobMap = new Map();
  for (const entry of entries.values()) {
    const digest = digestOfBlobName(entry.name);
    if (digest !== undefined) blobs.set(digest.toString(), entrySource(file, entry));
  }

  const manifestEntry = entries.get(DOCKER_MANIFEST_FILE);
  if (manifestEntry === undefined) {
    throw new GantryError(ErrorCode.InvalidArchive, `${file} has no manifest.json`, {
      hint: 'a docker-save archive has manifest.json at its top; is it an OCI archive?',
    });
  }
  const listed = parseDockerManifest(
    await small(file, manifestEntry),
    `${where} ${DOCKER_MANIFEST_FILE}`,
  );
  const indexEntry = entries.get(INDEX_FILE);
  const index =
    indexEntry === undefined
      ? emptyLayoutIndex()
      : parseLayoutIndex(await small(file, indexEntry), `${where} ${INDEX_FILE}`);

  const known = await manifestsByConfig(blobs, index, where);
  const images: ArchiveImage[] = [];
  for (const [i, item] of listed.entries()) {
    const at = `${where} ${DOCKER_MANIFEST_FILE}[${i}]`;
    images.push(await readImage(file, entries, blobs, known, item, at));
  }
  const kept = index.entries.filter(
    (e) => e.refName === undefined || isReferrersTag(e.refName),
  );
  return { blobs, images, index: { fields: index.fields, entries: kept } };
}

async function readImage(
  file: string,
  entries: Map<string, ArchiveEntry>,
  blobs: BlobMap,
  known: Map<string, Manifest[]>,
  item: DockerSaveEntry,
  where: string,
): Promise<ArchiveImage> {
  const config = await stored(file, entries, blobs, item.config, `${where} Config`);
  const layers: StoredBlob[] = [];
  for (const [i, path] of item.layers.entries()) {
    layers.push(await stored(file, entries, blobs, path, `${where} Layers[${i}]`));
  }
  const repoTags = item.repoTags ?? [];

  const served = (d: Descriptor) => blobs.get(d.digest.toString())?.size === d.size;
  const candidates = known.get(config.digest.toString()) ?? [];
  const real = candidates.find(
    (m) => m.kind === 'manifest' && served(m.config) && m.layers.every(served),
  );
  if (real !== undefined) return { descriptor: describe(real), repoTags };

  const made = await synthesiseManifest(config, layers, item.layerSources.values());
  blobs.set(made.digest.toString(), bytesSource(made.bytes));
  return { descriptor: describe(made), repoTags };
}

/** A file manifest.json names, by digest: from its blob name, or read and hashed. */
async function stored(
  file: string,
  entries: Map<string, ArchiveEntry>,
  blobs: BlobMap,
  path: string,
  where: string,
): Promise<StoredBlob> {
  const entry = entries.get(path);
  if (entry === undefined) {
    throw new GantryError(
      ErrorCode.InvalidArchive,
      `${where} names ${JSON.stringify(path)}, which is not in the archive`,
      { hint: 'the archive is incomplete; save the image again' },
    );
  }
  const source = entrySource(file, entry);
  const digest = digestOfBlobName(path) ?? (await digestOf(source));
  if (!blobs.has(digest.toString())) blobs.set(digest.toString(), source);
  return { digest, source };
}

/**
 * The image manifests index.json reaches, by config digest: its entries,
 * and the children of an index entry (containerd's image store saves an
 * image as its index) that the archive holds.
 */
async function manifestsByConfig(
  blobs: BlobMap,
  index: LayoutIndex,
  where: string,
): Promise<Map<string, Manifest[]>> {
  const byConfig = new Map<string, Manifest[]>();
  const queue = index.entries.map((e) => e.descriptor);
  const seen = new Set<string>();
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const key = next.digest.toString();
    const source = blobs.get(key);
    if (seen.has(key) || !isManifestType(next.mediaType) || source?.size !== next.size) {
      continue;
    }
    seen.add(key);
    const bytes = await fetchWhole(blobs, next, where, MAX_MANIFEST_BYTES);
    const manifest = parseManifest(bytes, {
      descriptorMediaType: next.mediaType,
      where: `${next.digest} in ${where}`,
    });
    if (manifest.kind === 'index') queue.push(...manifest.manifests);
    else {
      const list = byConfig.get(manifest.config.digest.toString()) ?? [];
      byConfig.set(manifest.config.digest.toString(), [...list, manifest]);
    }
  }
  return byConfig;
}

function describe(manifest: Manifest): Descriptor {
  return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size };
}

/** The whole of a small file of the archive (manifest.json, index.json). */
async function small(file: string, entry: ArchiveEntry): Promise<Uint8Array> {
  if (entry.size > MAX_MANIFEST_BYTES) {
    throw new GantryError(
      ErrorCode.InvalidArchive,
      `${file}: ${entry.name} is ${entry.size} bytes, over ${MAX_MANIFEST_BYTES}`,
      { hint: 'this is no archive docker save wrote: check the file' },
    );
  }
  const parts: Buffer[] = [];
  for await (const chunk of entrySource(file, entry).open()) parts.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(parts));
}
