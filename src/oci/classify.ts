import { ErrorCode, GantryError } from '../errors.js';
import { type JsonObject, kind } from './fields.js';
import {
  baseMediaType,
  isIndexType,
  isManifestType,
  isSchema1Type,
  MediaType,
} from './mediatype.js';

/** What a manifest is, decided from what came with its bytes and from them. */
export interface Classification {
  kind: 'manifest' | 'index';
  /** The media type without parameters, lower-cased. */
  mediaType: string;
}

/** What the caller knows about bytes besides the bytes. */
export interface ClassifyHints {
  /** The HTTP Content-Type the registry sent. */
  contentType?: string;
  /** The media type of the descriptor that pointed here (an index entry...). */
  descriptorMediaType?: string;
}

/**
 * Classifies a parsed manifest body. The order (image-spec manifest.md and
 * image-index.md make `mediaType` a SHOULD, so it may be missing):
 *
 * 1. the Content-Type or the parent descriptor's media type, when it names a
 *    manifest type (an OCI layout or `application/octet-stream` says nothing);
 * 2. the body's own `mediaType`, which must agree with 1 when both are there;
 * 3. the shape: `manifests` ⇒ index, `config` and `layers` ⇒ image manifest,
 *    OCI family (Docker schema 2 always carries `mediaType`).
 *
 * Docker schema 1 and the 1.1-rc artifact manifest are refused.
 */
export function classifyManifest(
  body: JsonObject,
  hints: ClassifyHints,
  where: string,
): Classification {
  if (body.schemaVersion === 1) refuseSchema1(where);
  const outer = outerType(hints, where);

  const inner = body.mediaType;
  if (inner !== undefined && typeof inner !== 'string') {
    throw invalid(where, `mediaType must be a string, got ${kind(inner)}`);
  }
  if (inner !== undefined) refuseUnsupported(inner, where, 'the body mediaType');

  if (outer !== undefined && inner !== undefined && baseMediaType(inner) !== outer) {
    throw invalid(
      where,
      `Content-Type says ${outer} but the body says mediaType ${inner}`,
    );
  }
  if (outer !== undefined) return classified(outer);
  if (inner !== undefined && isManifestType(inner))
    return classified(baseMediaType(inner));
  if (inner !== undefined)
    throw invalid(where, `mediaType ${inner} is not a manifest type`);

  return classified(typeFromShape(body, where));
}

/** The manifest type named by the Content-Type or the parent descriptor. */
function outerType(hints: ClassifyHints, where: string): string | undefined {
  const named: string[] = [];
  for (const [source, type] of [
    ['the Content-Type', hints.contentType],
    ['the parent descriptor', hints.descriptorMediaType],
  ] as const) {
    if (type === undefined) continue;
    refuseUnsupported(type, where, source);
    if (isManifestType(type)) named.push(baseMediaType(type));
  }

  if (named.length === 2 && named[0] !== named[1]) {
    throw invalid(
      where,
      `Content-Type ${named[0]} differs from descriptor type ${named[1]}`,
    );
  }
  return named[0];
}

function typeFromShape(body: JsonObject, where: string): string {
  const hasManifests = 'manifests' in body;
  const hasImageFields = 'config' in body && 'layers' in body;
  if (hasManifests && hasImageFields) {
    throw invalid(where, 'has no mediaType and both manifests and config/layers');
  }
  if (hasManifests) return MediaType.OciIndex;
  if (hasImageFields) return MediaType.OciManifest;
  throw invalid(
    where,
    'is neither an image manifest (config, layers) nor an index (manifests)',
  );
}

function classified(mediaType: string): Classification {
  return { kind: isIndexType(mediaType) ? 'index' : 'manifest', mediaType };
}

function refuseUnsupported(type: string, where: string, source: string): void {
  if (isSchema1Type(type)) refuseSchema1(where);
  if (baseMediaType(type) === MediaType.OciArtifactManifest) {
    throw new GantryError(
      ErrorCode.InvalidManifest,
      `${where}: ${source} is the artifact manifest of the image-spec 1.1 release ` +
        'candidates, which the final spec dropped and registries reject',
      { hint: 'store artifacts as image manifests with artifactType set' },
    );
  }
}

function refuseSchema1(where: string): never {
  throw new GantryError(
    ErrorCode.InvalidManifest,
    `${where}: Docker schema 1 manifests are not supported`,
    {
      hint: 'schema 1 is deprecated; rebuild or re-push the image with a current client',
    },
  );
}

function invalid(where: string, problem: string): GantryError {
  return new GantryError(ErrorCode.InvalidManifest, `${where}: ${problem}`, {
    hint:
      'it is not an OCI or Docker v2 manifest or index: check the reference, ' +
      'or the tool that pushed it',
  });
}
