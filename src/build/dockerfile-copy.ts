import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import {
  dockerfileError,
  dockerfileUnsupported,
  type SourcePosition,
} from './dockerfile-errors.js';
import { compilePattern, hasGlob } from './dockerfile-glob.js';
import type { FileTree, TreeNode } from './dockerfile-tree.js';
import type { LayerInput } from './entries.js';

/**
 * COPY and ADD: which files of a tree go where (Dockerfile reference, "COPY"
 * and "ADD"). Sources are relative to the tree's root; globs follow Go's
 * `filepath.Match` plus `**`; a folder's contents are copied, not the
 * folder; several sources need a destination ending in `/`; a relative
 * destination is under WORKDIR. New files are owned by 0:0 unless
 * `--chown`, and keep their mode unless `--chmod`.
 */

export interface CopyRequest {
  position: SourcePosition;
  keyword: 'COPY' | 'ADD';
  sources: string[];
  destination: string;
  /** Absolute WORKDIR of the stage. */
  workdir: string;
  chmod?: number;
  uid?: number;
  gid?: number;
  from: FileTree;
}

/** One thing a copy writes: a node at a path, or an archive extracted there. */
interface Placement {
  path: string;
  node: TreeNode;
  extract?: boolean;
}

export interface CopyPlan {
  inputs: LayerInput[];
  /** What the copy put where, to record in the stage's own tree. */
  placed: [string, TreeNode][];
}

/** Folders made for a copied folder's destination: as `mkdir -p` makes them. */
const DESTINATION_FOLDER_MODE = 0o755;

export async function planCopy(request: CopyRequest): Promise<CopyPlan> {
  const { position, destination } = request;
  const target = resolveDestination(request.workdir, destination);
  const intoFolder = /(^|\/)\.?$/.test(destination) || destination.endsWith('/');
  const roots = request.sources.flatMap((source) => matchSource(request, source));
  if (roots.length > 1 && !intoFolder) {
    throw dockerfileError(
      position,
      `${request.keyword} of several sources needs a folder destination`,
      `end the destination with "/", e.g. ${destination}/`,
    );
  }

  const placed: Placement[] = [];
  for (const root of roots) {
    const node = request.from.get(root)!;
    if (node.type === 'directory') placeFolder(request, root, target, placed);
    else if (
      request.keyword === 'ADD' &&
      node.type === 'file' &&
      (await isArchive(node, position))
    ) {
      placed.push({ path: target, node, extract: true });
    } else {
      const path = intoFolder ? posix.join(target, posix.basename(root)) : target;
      placed.push({ path: path.replace(/^\/+/, ''), node });
    }
  }
  return {
    inputs: placed.map((placement) => toInput(request, placement)),
    placed: placed.map(({ path, node, extract }) => [
      path,
      extract === true ? { type: 'opaque', what: `the archive added at /${path}` } : node,
    ]),
  };
}

export function resolveDestination(workdir: string, destination: string): string {
  return posix.resolve('/', workdir, destination).replace(/^\/+|\/+$/g, '');
}

function matchSource(request: CopyRequest, source: string): string[] {
  const { position, from } = request;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) || /^git@/.test(source)) {
    throw dockerfileUnsupported(
      position,
      `${request.keyword} of a URL or git repository ("${source}") is not supported`,
      'download the file into the build context first, then COPY it',
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

function check(request: CopyRequest, found: string[], source: string): string[] {
  if (found.length === 0) {
    throw dockerfileError(
      request.position,
      `${request.keyword} source "${source}" not found in ${request.from.description}`,
      'check the path and .dockerignore; sources are relative to the context root',
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

function needsLayers(request: CopyRequest, source: string) {
  return dockerfileUnsupported(
    request.position,
    `${request.keyword} source "${source}" may come from the layers of the ` +
      `base image of ${request.from.description}`,
    'gantry never reads base image layers: copy from a FROM scratch stage ' +
      'or from the build context',
  );
}

function placeFolder(
  request: CopyRequest,
  root: string,
  target: string,
  placed: Placement[],
): void {
  if (target !== '') {
    const folder: TreeNode = { type: 'directory', mode: DESTINATION_FOLDER_MODE };
    placed.push({ path: target, node: folder });
  }
  const prefix = root === '' ? '' : `${root}/`;
  for (const path of request.from.paths()) {
    if (path === '' || !path.startsWith(prefix)) continue;
    const node = request.from.get(path)!;
    placed.push({ path: posix.join(target, path.slice(prefix.length)), node });
  }
}

function toInput(request: CopyRequest, placement: Placement): LayerInput {
  const { path, node } = placement;
  const owner = { uid: request.uid ?? 0, gid: request.gid ?? 0 };
  const destination = `/${path}`;
  if (placement.extract === true && node.type === 'file') {
    return {
      source: node.source,
      destination: `${destination}/`,
      extract: true,
      ...owner,
    };
  }
  switch (node.type) {
    case 'file':
      return {
        source: node.source,
        destination,
        mode: request.chmod ?? node.mode,
        ...owner,
      };
    case 'directory':
      return { directory: destination, mode: request.chmod ?? node.mode, ...owner };
    case 'symlink':
      return { symlink: node.target, destination, ...owner };
    default:
      throw dockerfileUnsupported(
        request.position,
        `cannot copy ${node.what}`,
        'copy from the build context',
      );
  }
}

/** Whether ADD would extract this file: a tar, plain or gzip (by content). */
async function isArchive(node: TreeNode & { type: 'file' }, position: SourcePosition) {
  const handle = await open(node.source, 'r');
  const head = Buffer.alloc(512);
  try {
    await handle.read(head, 0, 512, 0);
  } finally {
    await handle.close();
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return true;
  if (head.toString('latin1', 257, 262) === 'ustar') return true;
  const bzip2 = head.toString('latin1', 0, 3) === 'BZh';
  const xz = head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]));
  const zstd = head.readUInt32LE(0) === 0xfd2fb528;
  if (bzip2 || xz || zstd) {
    throw dockerfileUnsupported(
      position,
      `ADD of a bzip2, xz or zstd tarball (${node.source}) is not supported`,
      'recompress it with gzip, or unpack it and COPY the folder',
    );
  }
  return false;
}
