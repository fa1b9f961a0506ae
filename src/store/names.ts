import { ErrorCode, GantryError } from '../errors.js';
import { Digest } from '../oci/digest.js';

/**
 * The names targets accept for tags.
 *
 * A registry tag follows distribution-spec "Pulling manifests":
 * `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`. An OCI layout names its entries
 * with the `org.opencontainers.image.ref.name` annotation, whose grammar
 * (image-spec annotations.md, "Pre-Defined Annotation Keys") is wider so a
 * full reference fits (`example.com/app:1.0`):
 *
 *   ref       ::= component ("/" component)*
 *   component ::= alphanum (separator alphanum)*
 *   separator ::= [-._:@+] | "--"
 */

export const REGISTRY_TAG_PATTERN = /^\w[\w.-]{0,127}$/;
const REF_COMPONENT = '[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*';
export const LAYOUT_REF_NAME_PATTERN = new RegExp(
  `^${REF_COMPONENT}(?:/${REF_COMPONENT})*$`,
);

export function assertRegistryTag(tag: string, where: string): void {
  if (REGISTRY_TAG_PATTERN.test(tag)) return;
  throw new GantryError(
    ErrorCode.InvalidReference,
    `${where}: invalid tag "${clip(tag)}"`,
    {
      hint:
        'a tag is 1-128 of letters, digits, "_", "." and "-", ' +
        'not starting with "." or "-"',
    },
  );
}

export function assertLayoutRefName(name: string, where: string): void {
  if (LAYOUT_REF_NAME_PATTERN.test(name)) return;
  throw new GantryError(
    ErrorCode.InvalidReference,
    `${where}: invalid reference name "${clip(name)}"`,
    {
      hint:
        'a layout reference name is letters and digits joined by one of "-._:@+", ' +
        '"--" or "/", like 1.0 or example.com/app:1.0',
    },
  );
}

/** A digest when `text` is one (`sha256:<hex>`), else undefined: a tag. */
export function digestOrUndefined(text: string): Digest | undefined {
  return Digest.isValid(text) ? Digest.parse(text) : undefined;
}

export function notFound(what: string, where: string, hint?: string): GantryError {
  return new GantryError(ErrorCode.NotFound, `${what} not found in ${where}`, {
    hint: hint ?? notFoundHint(what, where),
  });
}

/**
 * What fixes a missing piece when the caller names nothing better: a
 * missing blob means an incomplete image, anything else a name to check.
 */
function notFoundHint(what: string, where: string): string {
  if (what.startsWith('blob ')) {
    return `${where} holds an incomplete image: copy the image into it again`;
  }
  return `check the tag or digest, and that the image was copied to ${where}`;
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
