import { ErrorCode, GantryError } from '../errors.js';
import { createManifest } from '../oci/create.js';
import { type Descriptor, descriptorToJSON, sortedMap } from '../oci/descriptor.js';
import { type ImageManifest, parseManifest } from '../oci/manifest.js';
import type { LayerCompression } from './layer-options.js';

/** The manifest of a built image, of the base's media type. */
export function writeManifest(
  mediaType: string,
  config: Descriptor,
  layers: readonly Descriptor[],
  annotations?: Record<string, string>,
): ImageManifest {
  if (layers.length > 0) {
    return createManifest({
      mediaType,
      config,
      layers,
      ...(annotations === undefined ? {} : { annotations }),
    });
  }
  return emptyManifest(mediaType, config, annotations);
}

/**
 * A manifest with no layers: an image made `FROM scratch` of config steps
 * only. createManifest refuses that (image-spec manifest.md: layers SHOULD
 * have one entry, the schema says minItems 1), yet docker and BuildKit write
 * it for such images and registries take it, so it is written here in the
 * same field order.
 */
function emptyManifest(
  mediaType: string,
  config: Descriptor,
  annotations: Record<string, string> | undefined,
): ImageManifest {
  const json = {
    schemaVersion: 2,
    mediaType,
    config: descriptorToJSON(config),
    layers: [],
    ...(annotations === undefined ? {} : { annotations: sortedMap(annotations) }),
  };
  const bytes = new TextEncoder().encode(JSON.stringify(json));
  const manifest = parseManifest(bytes, { descriptorMediaType: mediaType });
  if (manifest.kind !== 'manifest') {
    throw new GantryError(ErrorCode.Internal, 'built manifest parsed as an index');
  }
  return manifest;
}

/** The compression a layer media type names (`+gzip`, `.gzip`, `+zstd`, none). */
export function compressionOf(mediaType: string): LayerCompression {
  if (/[.+]gzip$/.test(mediaType)) return 'gzip';
  if (/[.+]zstd$/.test(mediaType)) return 'zstd';
  return 'none';
}
