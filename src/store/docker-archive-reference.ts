import { ErrorCode, GantryError } from '../errors.js';
import { parseReference } from '../reference/parse.js';
import { isFileAt } from './path-stat.js';

/**
 * `docker-archive:PATH[:REF]`, the form skopeo and the other containers/image
 * tools read (containers-transports(5), "docker-archive"): REF is a docker
 * reference with a tag, the image's name in the archive's RepoTags
 * (`app.tar:myapp:1`), or `@N`, the image at position N of manifest.json.
 *
 * containers/image ends the path at the first `:`. gantry does too, with
 * two exceptions so that no file is misread: a text that names an existing
 * file is that file whole, and a split whose second part is no tagged
 * reference (nor `@N`) keeps the text whole as the path, unless the path
 * ends in `.tar`, where a bad reference is an error rather than a new file
 * named `app.tar:...`.
 */

export interface DockerArchiveReference {
  path: string;
  /** The RepoTags name (`myapp:1`) or `@N`; undefined when none is given. */
  ref: string | undefined;
}

/** `@N`, skopeo's position form. */
const POSITION = /^@\d+$/;

/** The suffix that marks the part before the first `:` as an archive's file. */
const ARCHIVE_SUFFIX = '.tar';

export function parseDockerArchiveReference(text: string): DockerArchiveReference {
  const whole = { path: text, ref: undefined };
  const colon = text.indexOf(':');
  if (colon <= 0 || isFileAt(text)) return whole;

  const path = text.slice(0, colon);
  const ref = text.slice(colon + 1);
  if (POSITION.test(ref) || isTaggedReference(ref)) return { path, ref };
  if (!path.endsWith(ARCHIVE_SUFFIX)) return whole;
  throw new GantryError(
    ErrorCode.InvalidReference,
    `docker-archive:${text}: "${ref}" after the file ${path} is no image name with a tag`,
    { hint: 'write docker-archive:FILE[:NAME:TAG], e.g. docker-archive:app.tar:myapp:1' },
  );
}

/** `name:tag`, with the tag written out (RepoTags values always have one). */
function isTaggedReference(text: string): boolean {
  const lastPart = text.slice(text.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') || text.includes('@')) return false;
  try {
    parseReference(text);
    return true;
  } catch {
    return false;
  }
}
