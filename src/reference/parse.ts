import { ErrorCode, GantryError } from '../errors.js';
import { Reference } from './reference.js';

/**
 * Parses an image reference as Docker does (distribution/reference
 * `ParseNormalizedNamed`): `alpine` → `docker.io/library/alpine:latest`,
 * `localhost:5000/app@sha256:...`, `golang:1.4.2@sha256:...` (both kept).
 * Throws GantryError `GANTRY_E_REFERENCE` naming the rule that failed.
 */
export function parseReference(text: string): Reference {
  return Reference.parse(text);
}

/**
 * Parses a repository (`gantry tags REPO`): the same rules, but a tag or a
 * digest is an error and no default tag is added.
 */
export function parseRepository(text: string): Reference {
  return Reference.parseRepository(text);
}

/**
 * Checks that `ref` can be written to as a tag destination: it must have a
 * tag and no digest. `name:tag@digest` is ambiguous as a destination (which
 * part is written?), so it is refused as docker/cli refuses it (BR-04).
 */
export function assertTaggable(
  ref: Reference,
): asserts ref is Reference & { tag: string; digest: undefined } {
  if (ref.digest !== undefined) {
    throw new GantryError(
      ErrorCode.InvalidReference,
      `${ref.familiar()} names a digest and cannot be used as a tag destination`,
      {
        hint: `drop "@${ref.digest}" and give the tag to write, e.g. ${ref.name}:TAG`,
      },
    );
  }
  if (ref.tag === undefined) {
    throw new GantryError(
      ErrorCode.InvalidReference,
      `${ref.familiar()} has no tag to write`,
      { hint: `add the tag to write, e.g. ${ref.name}:TAG` },
    );
  }
}
