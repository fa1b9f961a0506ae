import { join } from 'node:path';
import { ErrorCode, GantryError } from '../errors.js';
import { Digest } from '../oci/digest.js';
import { LAYOUT_FILE } from './layout-files.js';
import { LAYOUT_REF_NAME_PATTERN, REGISTRY_TAG_PATTERN } from './names.js';
import { isFileAt, statOrUndefined } from './path-stat.js';

/**
 * References to layouts and archives, in the forms skopeo and BuildKit
 * users know: `oci:PATH[:tag]`, `oci-archive:FILE[:tag]`, and `@<digest>`
 * instead of a tag (`oci:PATH@sha256:...`).
 *
 * skopeo ends the path at the first `:`, so the name after it may hold
 * `:` and `/` (a ref.name such as `example.com/app:1.0`), and gantry does
 * too when the text before that `:` is an existing layout (a folder with
 * an `oci-layout` file; for `oci-archive:` an existing file) and the text
 * up to the last `:` names nothing: `oci:U:example.com/app:1.0` reads what
 * skopeo wrote in `U`. Otherwise the path ends at the last `:` only when
 * what follows is a registry tag (letters, digits, `_`, `.`, `-`; no
 * `/`), so `oci:/data/a:b/layout` is the folder `/data/a:b/layout`, as a
 * folder whose name holds `:` is one skopeo cannot name. Paths are POSIX:
 * a Windows drive letter is not told apart from a tag. A trailing `:`
 * with nothing after it is refused rather than read as part of the path.
 */

export type LayoutTransport = 'oci' | 'oci-archive';

export interface LayoutReference {
  transport: LayoutTransport;
  /** As written: relative paths stay relative. */
  path: string;
  tag: string | undefined;
  digest: Digest | undefined;
}

const TRANSPORTS: readonly LayoutTransport[] = ['oci-archive', 'oci'];

/** Whether `text` starts with a layout or archive transport prefix. */
export function isLayoutReference(text: string): boolean {
  return TRANSPORTS.some((t) => text.startsWith(`${t}:`));
}

export function parseLayoutReference(text: string): LayoutReference {
  const transport = TRANSPORTS.find((t) => text.startsWith(`${t}:`));
  if (transport === undefined) {
    throw invalid(text, 'expected it to start with oci: or oci-archive:');
  }
  let rest = text.slice(transport.length + 1);

  let digest: Digest | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0 && Digest.isValid(rest.slice(at + 1))) {
    digest = Digest.parse(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }

  const first = skopeoSplit(transport, rest);
  if (first !== undefined) return { transport, ...first, digest };

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && colon === rest.length - 1) {
    throw invalid(text, 'the tag after the last ":" is empty');
  }
  if (colon >= 0 && REGISTRY_TAG_PATTERN.test(rest.slice(colon + 1))) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }

  if (rest === '') throw invalid(text, 'the path is empty');
  return { transport, path: rest, tag, digest };
}

/**
 * skopeo's split at the first `:`, when the path before it is an existing
 * layout or archive and the last-`:` split would name no existing path:
 * the one case where the two rules differ and the first is the one meant.
 */
function skopeoSplit(
  transport: LayoutTransport,
  rest: string,
): { path: string; tag: string } | undefined {
  const colon = rest.indexOf(':');
  if (colon <= 0) return undefined;
  const path = rest.slice(0, colon);
  const name = rest.slice(colon + 1);
  if (!LAYOUT_REF_NAME_PATTERN.test(name)) return undefined;
  const store = transport === 'oci' ? isFileAt(join(path, LAYOUT_FILE)) : isFileAt(path);
  if (!store) return undefined;
  const last = rest.lastIndexOf(':');
  if (last !== colon && exists(rest.slice(0, last))) return undefined;
  if (exists(rest)) return undefined;
  return { path, tag: name };
}

function exists(path: string): boolean {
  return statOrUndefined(path) !== undefined;
}

/** The reference in the form parseLayoutReference reads. */
export function formatLayoutReference(ref: LayoutReference): string {
  const tag = ref.tag === undefined ? '' : `:${ref.tag}`;
  const digest = ref.digest === undefined ? '' : `@${ref.digest}`;
  return `${ref.transport}:${ref.path}${tag}${digest}`;
}

function invalid(text: string, rule: string): GantryError {
  const shown = text.length > 100 ? `${text.slice(0, 97)}...` : text;
  return new GantryError(
    ErrorCode.InvalidReference,
    `invalid layout reference ${JSON.stringify(shown)}: ${rule}`,
    { hint: 'write oci:PATH[:tag], oci-archive:FILE[:tag] or oci:PATH@sha256:<hex>' },
  );
}
