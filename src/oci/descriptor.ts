import { ErrorCode } from '../errors.js';
import { Digest } from './digest.js';
import {
  expectObject,
  expectString,
  type FieldErrorCode,
  fieldError,
  optionalString,
  optionalStringArray,
  optionalStringMap,
} from './fields.js';
import { isValidMediaType, MediaType } from './mediatype.js';
import type { Platform } from './platform.js';
import { type PlatformJSON, platformFromJSON, platformToJSON } from './platform-json.js';

/** A content descriptor: image-spec descriptor.md, "Properties". */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  artifactType?: string;
  urls?: string[];
  /** The content itself, base64 (RFC 4648 §4); must equal what digest names. */
  data?: string;
}

/** The JSON form, with fields in the order `descriptorToJSON` writes them. */
export interface DescriptorJSON {
  mediaType: string;
  artifactType?: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  data?: string;
  platform?: PlatformJSON;
}

/** Annotation keys gantry reads or writes (image-spec annotations.md and BuildKit's). */
export const AnnotationKey = {
  RefName: 'org.opencontainers.image.ref.name',
  Created: 'org.opencontainers.image.created',
  /** BuildKit: what an index entry is (`attestation-manifest`). */
  ReferenceType: 'vnd.docker.reference.type',
  /** BuildKit: the digest of the manifest an attestation describes. */
  ReferenceDigest: 'vnd.docker.reference.digest',
} as const;

/** The `vnd.docker.reference.type` value of an attestation manifest entry. */
export const ATTESTATION_MANIFEST_TYPE = 'attestation-manifest';

/** The bytes of the empty JSON object `{}`. */
export const EMPTY_JSON_BYTES: Uint8Array = new Uint8Array([0x7b, 0x7d]);

/** image-spec manifest.md, "Guidance for an Empty Descriptor". */
export const EMPTY_DESCRIPTOR: Readonly<Descriptor> = Object.freeze({
  mediaType: MediaType.OciEmpty,
  digest: Digest.parse(
    'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  ),
  size: 2,
  data: 'e30=',
});

/** RFC 4648 §4 base64 with padding. */
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Reads and checks a descriptor: a valid media type, a valid digest, a size
 * that is a non-negative safe integer (int64 in the spec; beyond 2^53 it
 * cannot be held exactly in a JS number), string annotations and urls.
 */
export function parseDescriptor(
  json: unknown,
  where: string,
  code: FieldErrorCode = ErrorCode.InvalidManifest,
): Descriptor {
  const object = expectObject(json, where, code);
  const mediaType = expectString(object.mediaType, `${where}.mediaType`, code);
  if (!isValidMediaType(mediaType)) {
    throw fieldError(code, `${where}.mediaType`, `invalid media type "${mediaType}"`);
  }

  const digestText = expectString(object.digest, `${where}.digest`, code);
  if (!Digest.isValid(digestText)) {
    throw fieldError(
      code,
      `${where}.digest`,
      `invalid digest "${digestText.slice(0, 80)}"`,
    );
  }
  const size = object.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw fieldError(
      code,
      `${where}.size`,
      `expected a non-negative integer, got ${size}`,
    );
  }

  const descriptor: Descriptor = { mediaType, digest: Digest.parse(digestText), size };
  readOptionalFields(object, descriptor, where, code);
  return descriptor;
}

function readOptionalFields(
  object: Record<string, unknown>,
  descriptor: Descriptor,
  where: string,
  code: FieldErrorCode,
): void {
  const artifactType = optionalString(object.artifactType, `${where}.artifactType`, code);
  if (artifactType !== undefined && !isValidMediaType(artifactType)) {
    throw fieldError(
      code,
      `${where}.artifactType`,
      `invalid media type "${artifactType}"`,
    );
  }
  const urls = optionalStringArray(object.urls, `${where}.urls`, code);
  const annotations = optionalStringMap(object.annotations, `${where}.annotations`, code);
  const data = optionalString(object.data, `${where}.data`, code);
  if (data !== undefined && !BASE64_PATTERN.test(data)) {
    throw fieldError(code, `${where}.data`, 'not valid base64');
  }

  if (artifactType !== undefined) descriptor.artifactType = artifactType;
  if (urls !== undefined) descriptor.urls = urls;
  if (annotations !== undefined) descriptor.annotations = annotations;
  if (data !== undefined) descriptor.data = data;
  if (object.platform !== undefined && object.platform !== null) {
    descriptor.platform = platformFromJSON(object.platform, `${where}.platform`, code);
  }
}

/**
 * The JSON form, fields in a fixed order (mediaType, artifactType, digest,
 * size, urls, annotations, data, platform) and annotation keys sorted, as Go
 * writes maps, so the same descriptor always serialises to the same bytes.
 */
export function descriptorToJSON(d: Descriptor): DescriptorJSON {
  const json: DescriptorJSON = {
    mediaType: d.mediaType,
    ...(d.artifactType === undefined ? {} : { artifactType: d.artifactType }),
    digest: d.digest.toString(),
    size: d.size,
  };
  if (d.urls !== undefined) json.urls = [...d.urls];
  if (d.annotations !== undefined) json.annotations = sortedMap(d.annotations);
  if (d.data !== undefined) json.data = d.data;
  if (d.platform !== undefined) json.platform = platformToJSON(d.platform);
  return json;
}

/** A copy of `map` with keys in code-unit order. */
export function sortedMap(map: Record<string, string>): Record<string, string> {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(map).sort()) sorted[key] = map[key]!;
  return sorted;
}

/** An index entry for a BuildKit attestation manifest (in-toto statements). */
export function isAttestation(d: Descriptor): boolean {
  return d.annotations?.[AnnotationKey.ReferenceType] === ATTESTATION_MANIFEST_TYPE;
}

/**
 * The manifest an attestation entry describes, or undefined when `d` is not
 * an attestation or does not say. A present but malformed digest is an error.
 */
export function attestedDigest(d: Descriptor): Digest | undefined {
  if (!isAttestation(d)) return undefined;
  const text = d.annotations?.[AnnotationKey.ReferenceDigest];
  if (text === undefined) return undefined;
  if (!Digest.isValid(text)) {
    throw fieldError(
      ErrorCode.InvalidManifest,
      `attestation ${d.digest} annotation ${AnnotationKey.ReferenceDigest}`,
      `invalid digest "${text.slice(0, 80)}"`,
    );
  }
  return Digest.parse(text);
}
