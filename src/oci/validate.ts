import { ErrorCode } from '../errors.js';
import type { Descriptor } from './descriptor.js';
import { Digest } from './digest.js';
import { fieldError, isObject } from './fields.js';
import {
  familyOf,
  isImageConfigType,
  isImageLayerType,
  isImageManifestType,
  isIndexType,
  isValidMediaType,
  MediaType,
} from './mediatype.js';
import type { Platform } from './platform.js';

/**
 * Structural checks of what gantry writes, after the image-spec v1.1 JSON
 * schemas (schema/*.json) and the rules in the prose they cannot express.
 * Own code: the library depends on no file outside its package. Every
 * failure is a SchemaViolation naming the field.
 */

const code = ErrorCode.SchemaViolation;

/** The fields shared by manifests and indexes that gantry writes. */
export interface ManifestFields {
  mediaType: string;
  artifactType?: string;
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export function validateImageManifest(
  m: ManifestFields & { config: Descriptor; layers: readonly Descriptor[] },
  where: string,
): void {
  if (!isImageManifestType(m.mediaType)) {
    throw fieldError(
      code,
      `${where} mediaType`,
      `${m.mediaType} is not an image manifest type`,
    );
  }
  validateCommon(m, where);
  validateDescriptor(m.config, `${where} config`);
  for (const [i, layer] of m.layers.entries()) {
    validateDescriptor(layer, `${where} layers[${i}]`);
  }

  // image-spec manifest.md, "layers": SHOULD have one entry for portability
  // (the JSON schema says minItems 1); artifacts use the empty descriptor.
  if (m.layers.length === 0) {
    throw fieldError(
      code,
      `${where} layers`,
      'is empty',
      'use EMPTY_DESCRIPTOR as the layer',
    );
  }
  // manifest.md, "artifactType": MUST be set when config is the empty type.
  if (m.config.mediaType === MediaType.OciEmpty && m.artifactType === undefined) {
    throw fieldError(code, `${where} artifactType`, 'must be set when config is empty');
  }
  checkFamilies(m.mediaType, [m.config, ...m.layers], where);
}

export function validateImageIndex(
  ix: ManifestFields & { manifests: readonly Descriptor[] },
  where: string,
): void {
  if (!isIndexType(ix.mediaType)) {
    throw fieldError(code, `${where} mediaType`, `${ix.mediaType} is not an index type`);
  }
  validateCommon(ix, where);
  for (const [i, entry] of ix.manifests.entries()) {
    validateDescriptor(entry, `${where} manifests[${i}]`);
  }
}

/**
 * Docker schema 2 has no `annotations`, `subject` or `artifactType`; writing
 * them into a Docker manifest list loses them silently, so it is an error.
 */
function validateCommon(m: ManifestFields, where: string): void {
  checkMediaType(m.mediaType, `${where} mediaType`);
  if (familyOf(m.mediaType) === 'docker') {
    for (const field of ['annotations', 'subject', 'artifactType'] as const) {
      if (m[field] !== undefined) {
        throw fieldError(
          code,
          `${where} ${field}`,
          `Docker schema 2 (${m.mediaType}) has no ${field} field`,
          'write an OCI manifest or index to keep it',
        );
      }
    }
  }
  if (m.artifactType !== undefined)
    checkMediaType(m.artifactType, `${where} artifactType`);
  if (m.subject !== undefined) validateDescriptor(m.subject, `${where} subject`);
  if (m.annotations !== undefined) checkStringMap(m.annotations, `${where} annotations`);
}

/**
 * An OCI manifest with Docker image types, or the reverse, is refused by
 * podman, buildah, skopeo and CRI-O, though no spec sentence forbids it.
 * Artifact types (no family, or the OCI empty type) may appear in either.
 */
function checkFamilies(manifestType: string, parts: Descriptor[], where: string): void {
  const family = familyOf(manifestType);
  for (const part of parts) {
    const known = isImageLayerType(part.mediaType) || isImageConfigType(part.mediaType);
    const partFamily = familyOf(part.mediaType);
    if (known && partFamily !== family) {
      throw fieldError(
        code,
        `${where} ${part.digest}`,
        `${partFamily} type ${part.mediaType} inside a ${family} manifest`,
        `use the ${family} media types for every config and layer`,
      );
    }
  }
}

/** image-spec descriptor.md, "Properties". */
export function validateDescriptor(d: Descriptor, where: string): void {
  checkMediaType(d.mediaType, `${where}.mediaType`);
  if (!(d.digest instanceof Digest) || !Digest.isValid(d.digest.toString())) {
    throw fieldError(code, `${where}.digest`, 'is not a valid digest');
  }
  if (!Number.isSafeInteger(d.size) || d.size < 0) {
    throw fieldError(
      code,
      `${where}.size`,
      `expected a non-negative integer, got ${d.size}`,
    );
  }
  if (d.artifactType !== undefined)
    checkMediaType(d.artifactType, `${where}.artifactType`);
  if (d.urls !== undefined) checkUrls(d.urls, `${where}.urls`);
  if (d.annotations !== undefined) checkStringMap(d.annotations, `${where}.annotations`);
  if (d.data !== undefined) checkData(d, `${where}.data`);
  if (d.platform !== undefined) validatePlatformFields(d.platform, `${where}.platform`);
}

/** image-index.md, "platform": architecture and os REQUIRED, strings throughout. */
export function validatePlatformFields(p: Platform, where: string): void {
  for (const field of ['architecture', 'os'] as const) {
    if (typeof p[field] !== 'string' || p[field] === '') {
      throw fieldError(
        code,
        `${where}.${field}`,
        'is required and must be a non-empty string',
      );
    }
  }
  for (const field of ['variant', 'osVersion'] as const) {
    if (p[field] !== undefined && typeof p[field] !== 'string') {
      throw fieldError(code, `${where}.${field}`, 'must be a string');
    }
  }
  const features: unknown = p.osFeatures;
  if (features !== undefined) {
    if (!Array.isArray(features) || features.some((f) => typeof f !== 'string')) {
      throw fieldError(code, `${where}.osFeatures`, 'must be an array of strings');
    }
  }
}

function checkMediaType(type: unknown, where: string): void {
  if (typeof type !== 'string' || !isValidMediaType(type)) {
    throw fieldError(code, where, `invalid media type ${JSON.stringify(type)}`);
  }
}

/** annotations.md: keys and values are strings; keys are not empty. */
function checkStringMap(map: unknown, where: string): void {
  if (!isObject(map)) throw fieldError(code, where, 'must be an object of strings');
  for (const [key, value] of Object.entries(map)) {
    if (key === '') throw fieldError(code, where, 'has an empty key');
    if (typeof value !== 'string') {
      throw fieldError(
        code,
        `${where}["${key}"]`,
        `must be a string, got ${typeof value}`,
      );
    }
  }
}

/** descriptor.md, "urls": each MUST conform to RFC 3986 (an absolute URI). */
function checkUrls(urls: unknown, where: string): void {
  if (!Array.isArray(urls)) throw fieldError(code, where, 'must be an array of strings');
  urls.forEach((url, i) => {
    if (typeof url !== 'string' || !URL.canParse(url)) {
      throw fieldError(code, `${where}[${i}]`, `is not an absolute URL`);
    }
  });
}

/** descriptor.md, "data": base64 of content that MUST match digest and size. */
function checkData(d: Descriptor, where: string): void {
  const bytes = Buffer.from(d.data ?? '', 'base64');
  if (bytes.toString('base64') !== d.data)
    throw fieldError(code, where, 'is not canonical base64');
  if (
    bytes.byteLength !== d.size ||
    !Digest.of(bytes, d.digest.algorithm).equals(d.digest)
  ) {
    throw fieldError(code, where, 'does not match the descriptor digest and size');
  }
}
