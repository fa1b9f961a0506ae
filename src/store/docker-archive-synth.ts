import { createManifest } from '../oci/create.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { ImageManifest } from '../oci/manifest.js';
import { familyOf, MediaType } from '../oci/mediatype.js';
import { type BlobSource, headOf } from './docker-archive-blobs.js';

/**
 * A manifest for an image that a docker-save archive holds without one:
 * every archive before Docker 25, and Docker 25+ archives whose index.json
 * lists nothing (field case BR-28). The manifest describes the files
 * exactly as stored, so each of its descriptors names a blob the archive
 * serves: layers are never recompressed, and an uncompressed layer keeps
 * its tar digest. The manifest's own digest is therefore new: it is not
 * the digest the image had in a registry before `docker save` (which kept
 * no manifest), and a registry holding the gzip form of the same image
 * has other layer digests too.
 *
 * A `LayerSources` descriptor that describes the stored file (same digest
 * and size) is used as it is, media type included. Other layers are typed
 * by their first bytes: gzip (RFC 1952 §2.3.1: 1f 8b), zstd (RFC 8878
 * §3.1.1: 28 b5 2f fd), else an uncompressed tar.
 *
 * The manifest is Docker schema 2 with the Docker config type, as the
 * Docker-made config calls for; when a LayerSources type is an OCI one (as
 * Docker 25 writes) or a layer is zstd (Docker schema 2 has no zstd type),
 * the manifest is an OCI one throughout, since a manifest may not mix the
 * two families.
 */

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** Enough bytes for the longest magic number checked. */
const SNIFF_BYTES = 4;

type Compression = 'tar' | 'gzip' | 'zstd';

const LAYER_TYPES = {
  docker: { tar: MediaType.DockerLayer, gzip: MediaType.DockerLayerGzip, zstd: '' },
  oci: {
    tar: MediaType.OciLayer,
    gzip: MediaType.OciLayerGzip,
    zstd: MediaType.OciLayerZstd,
  },
} as const;

/** A stored file: its digest and where its bytes are. */
export interface StoredBlob {
  readonly digest: Digest;
  readonly source: BlobSource;
}

export async function synthesiseManifest(
  config: StoredBlob,
  layers: readonly StoredBlob[],
  layerSources: Iterable<Descriptor>,
): Promise<ImageManifest> {
  const sources = [...layerSources];
  const typed = await Promise.all(
    layers.map(async (layer) => {
      const source = sources.find(
        (d) => d.digest.equals(layer.digest) && d.size === layer.source.size,
      );
      const compression = source === undefined ? await sniff(layer.source) : undefined;
      return { layer, source, compression };
    }),
  );

  const oci = typed.some(
    (t) =>
      t.compression === 'zstd' || (t.source && familyOf(t.source.mediaType) === 'oci'),
  );
  const family = oci ? 'oci' : 'docker';
  const descriptors = typed.map(({ layer, source, compression }): Descriptor => {
    const mediaType = source?.mediaType ?? LAYER_TYPES[family][compression ?? 'tar'];
    return { mediaType, digest: layer.digest, size: layer.source.size };
  });

  return createManifest({
    mediaType: oci ? MediaType.OciManifest : MediaType.DockerManifest,
    config: {
      mediaType: oci ? MediaType.OciConfig : MediaType.DockerConfig,
      digest: config.digest,
      size: config.source.size,
    },
    layers: descriptors,
  });
}

async function sniff(source: BlobSource): Promise<Compression> {
  const head = await headOf(source, SNIFF_BYTES);
  const starts = (magic: number[]) => magic.every((byte, i) => head[i] === byte);
  if (starts(GZIP_MAGIC)) return 'gzip';
  if (starts(ZSTD_MAGIC)) return 'zstd';
  return 'tar';
}
