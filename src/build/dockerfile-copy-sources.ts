import { posix } from 'node:path';
import type { CopyRequest } from './dockerfile-copy.js';
import { dockerfileError, dockerfileUnsupported } from './dockerfile-errors.js';
import { compilePattern, hasGlob } from './dockerfile-glob.js';
import { CONTEXT_DESCRIPTION, type TreeNode } from './dockerfile-tree.js';

/**
 * The sources of a COPY or ADD: paths and globs matched in the tree copied
 * from, refusing URLs, git, heredocs and paths that only a base image's
 * layers could hold (when those are not read); and symlinks named as a
 * source followed inside the tree, as BuildKit follows them.
 */

/** Symlink hops followed before giving up (Linux's MAXSYMLINKS). */
const MAX_SYMLINK_HOPS = 40;

export function matchSource(request: CopyRequest, source: string): string[] {
  const { position, from } = request;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) || /^git@/.test(source)) {
    throw dockerfileUnsupported(
      position,
      `${request.keyword} of a URL or git repository ("${source}") is not supported`,
      'download the file into the build context first, then COPY it',
    );
  }
  if (source.startsWith('<<')) {
    throw dockerfileUnsupported(
      position,
      `${request.keyword} with a here-document ("${source}") is not supported`,
      'put the content in a file in the build context and COPY it',
    );
  }
  const cleaned = posix.normalize(`/${source}`).replace(/^\/+|\/+$/g, '');
  if (hasGlob(cleaned)) {
    const pattern = compilePattern(cleaned);
    const found = from.paths().filter((path) => path !== '' && pattern.matches(path));
    if (found.length > 0 || from.complete) return check(request, found, source);
    throw needsLayers(request, source);
  }
  const node = from.get(cleaned);
  if (node === undefined && !from.complete) throw needsLayers(request, source);
  return check(request, node === undefined ? [] : [cleaned], source);
}

export function check(request: CopyRequest, found: string[], source: string): string[] {
  if (found.length === 0) {
    const cleaned = posix.normalize(`/${source}`).replace(/^\/+/, '');
    for (
      let at = cleaned.lastIndexOf('/');
      at > 0;
      at = cleaned.lastIndexOf('/', at - 1)
    ) {
      const above = request.from.get(cleaned.slice(0, at));
      if (above?.type === 'opaque') {
        throw dockerfileUnsupported(
          request.position,
          `${request.keyword} source "${source}" is inside ${above.what}`,
          'copy from the archive in the build context instead',
        );
      }
    }
    throw dockerfileError(
      request.position,
      `${request.keyword} source "${source}" not found in ${request.from.description}`,
      notFoundHint(request),
    );
  }
  for (const path of found) {
    const node = request.from.get(path)!;
    if (node.type === 'opaque') {
      throw dockerfileUnsupported(
        request.position,
        `${request.keyword} source "${source}" is inside ${node.what}`,
        'copy from the archive in the build context instead',
      );
    }
    if (node.type === 'directory' && !request.from.complete)
      throw needsLayers(request, source);
  }
  return found;
}

/** With --from, the path is one of that stage's or image's, not the context's. */
function notFoundHint(request: CopyRequest): string {
  if (request.from.description === CONTEXT_DESCRIPTION)
    return 'check the path and .dockerignore; sources are relative to the context root';
  return (
    `with --from, the path is looked up in the file system of ` +
    `${request.from.description}, not in the build context: check that it is there`
  );
}

function needsLayers(request: CopyRequest, source: string) {
  return dockerfileUnsupported(
    request.position,
    `${request.keyword} source "${source}" may come from the layers of the ` +
      `base image of ${request.from.description}`,
    'gantry never reads base image layers: copy from a FROM scratch stage ' +
      'or from the build context',
  );
}

/** The node a source path names, following symlinks within the tree. */
export function followLinks(
  request: CopyRequest,
  path: string,
): { path: string; node: TreeNode } {
  let current = path;
  for (let hop = 0; hop < MAX_SYMLINK_HOPS; hop++) {
    const node = request.from.get(current);
    if (node === undefined) break;
    if (node.type !== 'symlink') return { path: current, node };
    current = posix
      .resolve('/', posix.dirname(`/${current}`), node.target)
      .replace(/^\/+/, '');
  }
  throw dockerfileError(
    request.position,
    `${request.keyword} source "${path}" is a symlink that leads to nothing ` +
      `in ${request.from.description}`,
    'copy the file the link points at',
  );
}
