import { createManifest } from '../oci/create.js';
import {
  AnnotationKey,
  ATTESTATION_MANIFEST_TYPE,
  type Descriptor,
  EMPTY_DESCRIPTOR,
  EMPTY_JSON_BYTES,
} from '../oci/descriptor.js';
import { Digest } from '../oci/digest.js';
import { describeManifest, type ImageManifest } from '../oci/manifest.js';
import { MediaType } from '../oci/mediatype.js';
import { encodeStatement, type InTotoStatement } from './statement.js';

/**
 * The two carriages of an in-toto statement:
 *
 * - BuildKit's attestation manifest inside the index (BuildKit docs,
 *   "Attestation storage"): an OCI image manifest whose config is a
 *   placeholder image config for `unknown/unknown` and whose one layer per
 *   statement is `application/vnd.in-toto+json`, annotated with its
 *   predicate type; the index entry has platform `unknown/unknown` and the
 *   `vnd.docker.reference.*` annotations naming the platform manifest.
 * - An OCI artifact (image-spec manifest.md, "Guidelines for Artifact
 *   Usage"): `artifactType` in-toto, the empty config, the statement as a
 *   layer, `subject` the platform manifest, found through the referrers API
 *   or its tag-schema fallback.
 */

/** in-toto's annotation naming a layer's predicate type (BuildKit writes it). */
export const PREDICATE_TYPE_ANNOTATION = 'in-toto.io/predicate-type';

/** BuildKit's placeholder platform for entries that are not runnable images. */
export const ATTESTATION_PLATFORM = Object.freeze({
  os: 'unknown',
  architecture: 'unknown',
});

/** A manifest with every blob it needs, so a target gets all of it in order. */
export interface AttestationContent {
  manifest: ImageManifest;
  /** Config and layers, with their bytes; pushed before the manifest. */
  blobs: { descriptor: Descriptor; bytes: Uint8Array }[];
}

/** BuildKit's attestation manifest for the statements about one platform image. */
export function attestationManifest(statements: InTotoStatement[]): AttestationContent {
  const layers = statements.map(statementLayer);
  const config = placeholderConfig(layers.map((layer) => layer.descriptor.digest));
  const manifest = createManifest({
    mediaType: MediaType.OciManifest,
    config: config.descriptor,
    layers: layers.map((layer) => layer.descriptor),
  });
  return { manifest, blobs: [config, ...layers] };
}

/** The index entry for an attestation manifest about `platformManifest`. */
export function attestationEntry(
  attestation: ImageManifest,
  platformManifest: Digest,
): Descriptor {
  return describeManifest(attestation, {
    platform: { ...ATTESTATION_PLATFORM },
    annotations: {
      [AnnotationKey.ReferenceDigest]: `${platformManifest}`,
      [AnnotationKey.ReferenceType]: ATTESTATION_MANIFEST_TYPE,
    },
  });
}

/** One statement as an OCI artifact whose subject is the platform manifest. */
export function referrerArtifact(
  statement: InTotoStatement,
  subject: Descriptor,
): AttestationContent {
  const layer = statementLayer(statement);
  const { data: _inline, ...config } = EMPTY_DESCRIPTOR;
  const manifest = createManifest({
    mediaType: MediaType.OciManifest,
    artifactType: MediaType.InToto,
    config,
    layers: [layer.descriptor],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { [PREDICATE_TYPE_ANNOTATION]: statement.predicateType },
  });
  return { manifest, blobs: [{ descriptor: config, bytes: EMPTY_JSON_BYTES }, layer] };
}

function statementLayer(statement: InTotoStatement) {
  const bytes = encodeStatement(statement);
  const descriptor: Descriptor = {
    mediaType: MediaType.InToto,
    digest: Digest.of(bytes),
    size: bytes.length,
    annotations: { [PREDICATE_TYPE_ANNOTATION]: statement.predicateType },
  };
  return { descriptor, bytes };
}

/**
 * The config BuildKit writes for an attestation manifest: a valid image
 * config for platform `unknown/unknown` whose diff IDs are the layers'
 * digests (the statements are not compressed, so digest and diff ID agree).
 * Keys in BuildKit's order, no whitespace.
 */
function placeholderConfig(diffIds: Digest[]) {
  const json = {
    architecture: ATTESTATION_PLATFORM.architecture,
    os: ATTESTATION_PLATFORM.os,
    config: {},
    rootfs: { type: 'layers', diff_ids: diffIds.map((d) => `${d}`) },
  };
  const bytes = new TextEncoder().encode(JSON.stringify(json));
  const descriptor: Descriptor = {
    mediaType: MediaType.OciConfig,
    digest: Digest.of(bytes),
    size: bytes.length,
  };
  return { descriptor, bytes };
}
