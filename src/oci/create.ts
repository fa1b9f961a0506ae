import { ErrorCode, GantryError } from '../errors.js';
import { type Descriptor, descriptorToJSON, sortedMap } from './descriptor.js';
import {
  type ImageIndex,
  type ImageManifest,
  MAX_MANIFEST_BYTES,
  parseManifest,
} from './manifest.js';
import { MediaType, sameMediaType } from './mediatype.js';
import { validateImageIndex, validateImageManifest } from './validate.js';

/**
 * Builders for the manifests and indexes gantry writes. Output is
 * deterministic: `mediaType` and `schemaVersion: 2` always set (BR-07:
 * readers that key on `mediaType` must find it), fields in the order of
 * image-spec's Go types (specs-go/v1), annotation keys sorted, no
 * whitespace. The same input always gives the same bytes and digest.
 */

/** image-spec manifest.md and image-index.md: the only schema version. */
const SCHEMA_VERSION = 2;

export interface ManifestInput {
  config: Descriptor;
  layers: readonly Descriptor[];
  annotations?: Record<string, string>;
  subject?: Descriptor;
  artifactType?: string;
  /**
   * Default: Docker schema 2 when the config is a Docker image config (so an
   * image keeps its base's family), otherwise the OCI image manifest.
   */
  mediaType?: string;
}

export interface IndexInput {
  manifests: readonly Descriptor[];
  annotations?: Record<string, string>;
  subject?: Descriptor;
  artifactType?: string;
  /** Default: the OCI image index (it can carry annotations; a Docker list cannot). */
  mediaType?: string;
}

export function createManifest(input: ManifestInput): ImageManifest {
  const mediaType = input.mediaType ?? defaultManifestType(input.config);
  const where = 'new manifest';
  validateImageManifest({ ...input, mediaType }, where);

  const json = {
    schemaVersion: SCHEMA_VERSION,
    mediaType,
    ...optional('artifactType', input.artifactType),
    config: descriptorToJSON(input.config),
    layers: input.layers.map(descriptorToJSON),
    ...optional('subject', input.subject && descriptorToJSON(input.subject)),
    ...optional('annotations', input.annotations && sortedMap(input.annotations)),
  };
  const manifest = parseManifest(encode(json, where), { descriptorMediaType: mediaType });
  if (manifest.kind !== 'manifest') throw internal(where);
  return manifest;
}

export function createIndex(input: IndexInput): ImageIndex {
  const mediaType = input.mediaType ?? MediaType.OciIndex;
  const where = 'new index';
  validateImageIndex({ ...input, mediaType }, where);

  const json = {
    schemaVersion: SCHEMA_VERSION,
    mediaType,
    ...optional('artifactType', input.artifactType),
    manifests: input.manifests.map(descriptorToJSON),
    ...optional('subject', input.subject && descriptorToJSON(input.subject)),
    ...optional('annotations', input.annotations && sortedMap(input.annotations)),
  };
  const index = parseManifest(encode(json, where), { descriptorMediaType: mediaType });
  if (index.kind !== 'index') throw internal(where);
  return index;
}

function defaultManifestType(config: Descriptor): string {
  return sameMediaType(config.mediaType, MediaType.DockerConfig)
    ? MediaType.DockerManifest
    : MediaType.OciManifest;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

/** Compact JSON as UTF-8; refused past the size registries accept. */
function encode(json: object, where: string): Uint8Array {
  const bytes = new TextEncoder().encode(JSON.stringify(json));
  if (bytes.byteLength > MAX_MANIFEST_BYTES) {
    throw new GantryError(
      ErrorCode.ManifestTooLarge,
      `${where}: ${bytes.byteLength} bytes is over the ${MAX_MANIFEST_BYTES}-byte limit`,
      { hint: 'registries refuse manifests over 4 MiB; split the index or drop entries' },
    );
  }
  return bytes;
}

function internal(where: string): GantryError {
  return new GantryError(ErrorCode.Internal, `${where}: serialised to the wrong kind`);
}
