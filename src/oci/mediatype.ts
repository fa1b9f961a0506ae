import { ErrorCode, GantryError } from '../errors.js';

/**
 * Media types gantry reads and writes.
 *
 * OCI: image-spec v1.1 media-types.md. Docker: "Image Manifest Version 2,
 * Schema 2" (distribution/docs/spec/manifest-v2-2.md). Media types are
 * compared without parameters and case-insensitively (RFC 6838 §4.2: type
 * and subtype names are case-insensitive).
 */
export const MediaType = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  /** Deprecated by image-spec v1.1 (layer.md); still read. */
  OciLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  OciLayerNondistributableGzip:
    'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  OciLayerNondistributableZstd:
    'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  /** The JSON `{}` (image-spec manifest.md, "Guidance for an Empty Descriptor"). */
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  OciLayoutHeader: 'application/vnd.oci.layout.header.v1+json',
  /**
   * The artifact manifest of the 1.1 release candidates, dropped from the
   * final 1.1 spec; registries answer 400 MANIFEST_INVALID. Recognised only
   * to be refused with a clear message.
   */
  OciArtifactManifest: 'application/vnd.oci.artifact.manifest.v1+json',

  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /** Uncompressed Docker layer: not in schema 2 but written by some tools. */
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  DockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  /** Schema 1 (deprecated, signed with JWS): recognised only to be refused. */
  DockerManifestSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  DockerManifestSchema1Signed:
    'application/vnd.docker.distribution.manifest.v1+prettyjws',

  /** An in-toto statement (attestation layers, e.g. SLSA provenance). */
  InToto: 'application/vnd.in-toto+json',
} as const;

export type KnownMediaType = (typeof MediaType)[keyof typeof MediaType];

export type MediaTypeFamily = 'oci' | 'docker';

/**
 * The Accept list for a manifest request, OCI types first. A distribution
 * 2.8 registry answers 404 for an OCI manifest or index unless OCI types are
 * in Accept, so they must always be there. Schema 1 and the 1.1-rc artifact
 * manifest are left out: gantry refuses them anyway.
 */
export const MANIFEST_ACCEPT: readonly string[] = Object.freeze([
  MediaType.OciIndex,
  MediaType.OciManifest,
  MediaType.DockerManifestList,
  MediaType.DockerManifest,
]);

const INDEX_TYPES = new Set<string>([MediaType.OciIndex, MediaType.DockerManifestList]);
const IMAGE_MANIFEST_TYPES = new Set<string>([
  MediaType.OciManifest,
  MediaType.DockerManifest,
]);
const SCHEMA1_TYPES = new Set<string>([
  MediaType.DockerManifestSchema1,
  MediaType.DockerManifestSchema1Signed,
]);
const CONFIG_TYPES = new Set<string>([MediaType.OciConfig, MediaType.DockerConfig]);
const LAYER_TYPES = new Set<string>([
  MediaType.OciLayer,
  MediaType.OciLayerGzip,
  MediaType.OciLayerZstd,
  MediaType.OciLayerNondistributable,
  MediaType.OciLayerNondistributableGzip,
  MediaType.OciLayerNondistributableZstd,
  MediaType.DockerLayer,
  MediaType.DockerLayerGzip,
  MediaType.DockerForeignLayer,
]);

/**
 * The media type without parameters or surrounding space, lower-cased:
 * `Application/JSON; charset=utf-8` → `application/json`.
 */
export function baseMediaType(type: string): string {
  const semicolon = type.indexOf(';');
  const bare = semicolon < 0 ? type : type.slice(0, semicolon);
  return bare.trim().toLowerCase();
}

/** Whether two media types are the same once parameters are dropped. */
export function sameMediaType(a: string, b: string): boolean {
  return baseMediaType(a) === baseMediaType(b);
}

export function isIndexType(type: string): boolean {
  return INDEX_TYPES.has(baseMediaType(type));
}

export function isImageManifestType(type: string): boolean {
  return IMAGE_MANIFEST_TYPES.has(baseMediaType(type));
}

/** An image manifest or an index, of either family (schema 1 excluded). */
export function isManifestType(type: string): boolean {
  return isIndexType(type) || isImageManifestType(type);
}

/** Docker schema 1, which gantry recognises and refuses. */
export function isSchema1Type(type: string): boolean {
  return SCHEMA1_TYPES.has(baseMediaType(type));
}

export function isImageConfigType(type: string): boolean {
  return CONFIG_TYPES.has(baseMediaType(type));
}

/** A known image layer type (OCI or Docker); artifact layers are not. */
export function isImageLayerType(type: string): boolean {
  return LAYER_TYPES.has(baseMediaType(type));
}

/** Layers that registries must not be asked to store (urls[] only). */
export function isNondistributableType(type: string): boolean {
  const base = baseMediaType(type);
  return base.includes('.nondistributable.') || base === MediaType.DockerForeignLayer;
}

/** `oci` or `docker` for types of those families; undefined otherwise. */
export function familyOf(type: string): MediaTypeFamily | undefined {
  const base = baseMediaType(type);
  if (base.startsWith('application/vnd.oci.')) return 'oci';
  if (base.startsWith('application/vnd.docker.')) return 'docker';
  return undefined;
}

/**
 * The media type grammar of image-spec's JSON schema (defs-descriptor.json,
 * after RFC 6838 §4.2 restricted-name): `type/subtype`, each 1-127 chars.
 */
const MEDIA_TYPE_PATTERN =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export function isValidMediaType(type: string): boolean {
  return MEDIA_TYPE_PATTERN.test(type);
}

/** Throws InvalidMediaType unless `type` follows the media type grammar. */
export function assertMediaType(type: string, where: string): void {
  if (!isValidMediaType(type)) {
    throw new GantryError(
      ErrorCode.InvalidMediaType,
      `${where}: invalid media type "${type.slice(0, 80)}"`,
      { hint: 'a media type looks like application/vnd.oci.image.manifest.v1+json' },
    );
  }
}
