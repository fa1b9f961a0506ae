import { ErrorCode, GantryError, isGantryError } from '../errors.js';
import { parseImageConfig } from '../oci/config.js';
import { AnnotationKey, type Descriptor, descriptorToJSON } from '../oci/descriptor.js';
import { Digest } from '../oci/digest.js';
import {
  type ImageManifest,
  MAX_MANIFEST_BYTES,
  parseManifest,
} from '../oci/manifest.js';
import { MediaType, sameMediaType } from '../oci/mediatype.js';
import { parseReference } from '../reference/parse.js';
import type { PackEntry } from './archive-write.js';
import {
  type BlobMap,
  blobName,
  bytesSource,
  fetchWhole,
  sourceOf,
} from './docker-archive-blobs.js';
import {
  DOCKER_MANIFEST_FILE,
  type DockerSaveEntryJSON,
  serializeDockerManifest,
} from './docker-archive-manifest.js';
import type { ArchiveImage } from './docker-archive-names.js';
import { INDEX_FILE, LAYOUT_FILE } from './layout-files.js';
import type { LayoutIndex } from './layout-index.js';
import { layoutHeaderBytes } from './layout-open.js';
import { DEFAULT_FETCH_BYTES_LIMIT } from './target.js';

/**
 * What a docker-save archive gantry writes holds, in the layout Docker 25+
 * writes, so one file is both a docker-save archive and an OCI layout:
 *
 * - `blobs/<alg>/<hex>`: every blob, manifest and config, as pushed;
 * - `oci-layout` and `index.json`: one entry per tag, named as Docker 25
 *   names them (`io.containerd.image.name` the full reference,
 *   `org.opencontainers.image.ref.name` the tag), then the entries kept
 *   for referrers;
 * - `manifest.json`: one entry per image, its `Config` and `Layers`
 *   pointing into `blobs/`, `RepoTags` its full references. Layers are the
 *   pushed blobs as they are: `docker load` and `podman load` decompress
 *   gzip and zstd layers themselves. `LayerSources` is written only for
 *   layers that are not an uncompressed tar, keyed by diff ID, so a reader
 *   keeps their media type.
 */

/** containerd's annotation for the image name, which Docker 25 also writes. */
export const CONTAINERD_IMAGE_NAME = 'io.containerd.image.name';

export interface ArchiveState {
  readonly blobs: BlobMap;
  readonly images: readonly ArchiveImage[];
  readonly index: LayoutIndex;
  readonly where: string;
}

export async function dockerArchiveEntries(state: ArchiveState): Promise<PackEntry[]> {
  const listed: DockerSaveEntryJSON[] = [];
  for (const image of state.images) listed.push(await manifestEntry(state, image));

  const files: PackEntry[] = [
    bytesEntry(LAYOUT_FILE, layoutHeaderBytes()),
    bytesEntry(INDEX_FILE, indexBytes(state)),
    bytesEntry(DOCKER_MANIFEST_FILE, serializeDockerManifest(listed)),
  ];
  for (const [digest, source] of state.blobs) {
    const name = blobName(Digest.parse(digest));
    files.push({ name, size: source.size, open: () => source.open() });
  }
  return files;
}

async function manifestEntry(
  state: ArchiveState,
  image: ArchiveImage,
): Promise<DockerSaveEntryJSON> {
  const where = `${state.where} image ${image.repoTags[0] ?? image.descriptor.digest}`;
  const bytes = await fetchWhole(
    state.blobs,
    image.descriptor,
    where,
    MAX_MANIFEST_BYTES,
  );
  const manifest = parseManifest(bytes, {
    descriptorMediaType: image.descriptor.mediaType,
  });
  if (manifest.kind !== 'manifest') {
    throw new GantryError(ErrorCode.Internal, `${where}: an index reached manifest.json`);
  }
  for (const part of [manifest.config, ...manifest.layers]) present(state, part, where);

  const entry: DockerSaveEntryJSON = {
    Config: blobName(manifest.config.digest),
    RepoTags: image.repoTags.length === 0 ? null : [...image.repoTags],
    Layers: manifest.layers.map((layer) => blobName(layer.digest)),
  };
  const sources = await layerSources(state, manifest, where);
  if (sources !== undefined) entry.LayerSources = sources;
  return entry;
}

/** A layer or config the archive must hold, or a NotFound saying what was not pushed. */
function present(state: ArchiveState, part: Descriptor, where: string): void {
  try {
    sourceOf(state.blobs, part, state.where);
  } catch (error) {
    if (!isGantryError(error)) throw error;
    throw new GantryError(
      error.code,
      `${where}: cannot write manifest.json: ${error.message}`,
      { hint: 'push every layer and the config before the manifest', cause: error },
    );
  }
}

/** LayerSources for the layers that are not plain tars, by their diff IDs. */
async function layerSources(
  state: ArchiveState,
  manifest: ImageManifest,
  where: string,
): Promise<Record<string, Descriptor> | undefined> {
  const plain = (d: Descriptor) =>
    sameMediaType(d.mediaType, MediaType.DockerLayer) ||
    sameMediaType(d.mediaType, MediaType.OciLayer);
  if (manifest.layers.every(plain)) return undefined;

  const configBytes = await fetchWhole(
    state.blobs,
    manifest.config,
    where,
    DEFAULT_FETCH_BYTES_LIMIT,
  );
  const config = parseImageConfig(configBytes, { where: `${where} config` });
  // A config with fewer diff IDs than layers makes an image docker load
  // refuses whatever is written here; its layers just go without a source.
  const diffIds = config.rootfs.diffIds;
  const sources: Record<string, Descriptor> = {};
  manifest.layers.forEach((layer, i) => {
    const diffId = diffIds[i];
    if (!plain(layer) && diffId !== undefined) sources[diffId.toString()] = layer;
  });
  return sources;
}

function indexBytes(state: ArchiveState): Uint8Array {
  const named = state.images.flatMap((image) =>
    image.repoTags.map((repoTag) => {
      const annotations = {
        [CONTAINERD_IMAGE_NAME]: repoTag,
        [AnnotationKey.RefName]: tagOf(repoTag),
      };
      return descriptorToJSON({ ...image.descriptor, annotations });
    }),
  );
  const kept = state.index.entries.map((entry) => entry.json);
  const json = { ...state.index.fields, manifests: [...named, ...kept] };
  return new TextEncoder().encode(JSON.stringify(json));
}

/** The tag part of a RepoTags value; the value itself when it does not parse. */
function tagOf(repoTag: string): string {
  try {
    return parseReference(repoTag).tag ?? repoTag;
  } catch {
    return repoTag;
  }
}

function bytesEntry(name: string, bytes: Uint8Array): PackEntry {
  return { name, size: bytes.byteLength, open: () => bytesSource(bytes).open() };
}
