import { ErrorCode, GantryError } from '../errors.js';
import { type ClassifyHints, classifyManifest } from './classify.js';
import { type Descriptor, parseDescriptor } from './descriptor.js';
import { DIGEST_MISMATCH_HINT, Digest } from './digest.js';
import {
  expectArray,
  expectObject,
  fieldError,
  type JsonObject,
  optionalString,
  optionalStringMap,
} from './fields.js';
import { isValidMediaType } from './mediatype.js';

/**
 * Manifests and indexes as exact bytes plus a parsed view. The bytes are
 * the truth: they are never re-serialised, and `digest` is computed over
 * them. The view is for reading only.
 */

/**
 * The largest manifest gantry reads or writes. distribution-spec v1.1,
 * "Pushing Manifests": registries SHOULD accept manifests up to 4 MiB and
 * MAY reject larger ones (distribution 2.8 answers 400 "request body too
 * large"), so nothing larger is portable.
 */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

interface ManifestCommon {
  /** The exact bytes read or written. */
  readonly bytes: Uint8Array;
  /** The digest of `bytes`. */
  readonly digest: Digest;
  /** `bytes.byteLength`. */
  readonly size: number;
  /** As classified (see classify.ts), without parameters. */
  readonly mediaType: string;
  readonly subject?: Descriptor;
  readonly artifactType?: string;
  readonly annotations?: Record<string, string>;
}

/** image-spec manifest.md, or a Docker schema 2 manifest. */
export interface ImageManifest extends ManifestCommon {
  readonly kind: 'manifest';
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

/** image-spec image-index.md, or a Docker schema 2 manifest list. */
export interface ImageIndex extends ManifestCommon {
  readonly kind: 'index';
  readonly manifests: readonly Descriptor[];
}

export type Manifest = ImageManifest | ImageIndex;

export interface ParseManifestHints extends ClassifyHints {
  /** Verified against the bytes when given (DigestMismatch). */
  expectedDigest?: Digest;
  /** Where the bytes came from, for messages (`docker.io/library/alpine:3`). */
  where?: string;
}

/**
 * Parses manifest or index bytes: size limit first (before any parsing),
 * then the digest, then JSON, classification and the view.
 */
export function parseManifest(
  bytes: Uint8Array,
  hints: ParseManifestHints = {},
): Manifest {
  const source = hints.where ?? 'manifest';
  if (bytes.byteLength > MAX_MANIFEST_BYTES) {
    throw new GantryError(
      ErrorCode.ManifestTooLarge,
      `${source}: ${bytes.byteLength} bytes is over the ${MAX_MANIFEST_BYTES}-byte limit`,
      { hint: 'registries refuse manifests over 4 MiB; split the index or drop entries' },
    );
  }

  const digest = Digest.of(bytes, hints.expectedDigest?.algorithm ?? 'sha256');
  const where = hints.where ?? `manifest ${digest}`;
  if (hints.expectedDigest !== undefined && !digest.equals(hints.expectedDigest)) {
    throw new GantryError(
      ErrorCode.DigestMismatch,
      `${where}: expected digest ${hints.expectedDigest}, got ${digest}`,
      {
        details: { expected: hints.expectedDigest.toString(), actual: digest.toString() },
        hint: DIGEST_MISMATCH_HINT,
      },
    );
  }

  const body = expectObject(decodeJson(bytes, where), where, ErrorCode.InvalidManifest);
  const { kind, mediaType } = classifyManifest(body, hints, where);
  expectSchemaVersion2(body, where);

  const common = {
    bytes,
    digest,
    size: bytes.byteLength,
    mediaType,
    ...readCommon(body, where),
  };
  return kind === 'index'
    ? {
        kind,
        ...common,
        manifests: readDescriptors(body.manifests, `${where} manifests`),
      }
    : {
        kind,
        ...common,
        config: parseDescriptor(body.config, `${where} config`),
        layers: readDescriptors(body.layers, `${where} layers`),
      };
}

/** UTF-8 JSON (RFC 8259 §8.1); malformed UTF-8 is an error, not replaced. */
/**
 * Manifests are JSON; anything else (often an HTML page) came from something
 * standing in for the registry.
 */
const NOT_JSON_HINT =
  'if it came from a registry, a proxy or login page answered instead: ' +
  'check the registry address';

export function decodeJson(
  bytes: Uint8Array,
  where: string,
  code:
    | typeof ErrorCode.InvalidManifest
    | typeof ErrorCode.InvalidConfig = ErrorCode.InvalidManifest,
): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new GantryError(code, `${where}: not valid UTF-8 JSON: ${reason}`, {
      cause,
      hint: NOT_JSON_HINT,
    });
  }
}

function expectSchemaVersion2(body: JsonObject, where: string): void {
  if (body.schemaVersion !== 2) {
    throw fieldError(
      ErrorCode.InvalidManifest,
      `${where} schemaVersion`,
      `expected 2, got ${JSON.stringify(body.schemaVersion) ?? 'nothing'}`,
    );
  }
}

function readCommon(
  body: JsonObject,
  where: string,
): Pick<ManifestCommon, 'subject' | 'artifactType' | 'annotations'> {
  const code = ErrorCode.InvalidManifest;
  const artifactType = optionalString(body.artifactType, `${where} artifactType`, code);
  if (artifactType !== undefined && !isValidMediaType(artifactType)) {
    throw fieldError(
      code,
      `${where} artifactType`,
      `invalid media type "${artifactType}"`,
    );
  }
  const annotations = optionalStringMap(body.annotations, `${where} annotations`, code);
  const subject =
    body.subject === undefined || body.subject === null
      ? undefined
      : parseDescriptor(body.subject, `${where} subject`);

  return {
    ...(subject === undefined ? {} : { subject }),
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(annotations === undefined ? {} : { annotations }),
  };
}

function readDescriptors(value: unknown, where: string): Descriptor[] {
  if (value === undefined) {
    throw fieldError(ErrorCode.InvalidManifest, where, 'is missing');
  }
  const items = expectArray(value, where, ErrorCode.InvalidManifest);
  return items.map((item, i) => parseDescriptor(item, `${where}[${i}]`));
}

/** A descriptor of `manifest`, for an index entry or a subject. */
export function describeManifest(
  manifest: Manifest,
  extra: Pick<Descriptor, 'platform' | 'annotations'> = {},
): Descriptor {
  const descriptor: Descriptor = {
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: manifest.size,
  };
  if (manifest.artifactType !== undefined)
    descriptor.artifactType = manifest.artifactType;
  if (extra.platform !== undefined) descriptor.platform = extra.platform;
  if (extra.annotations !== undefined) descriptor.annotations = extra.annotations;
  return descriptor;
}
