import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import { followLinks, matchSource } from './dockerfile-copy-sources.js';
import {
  dockerfileError,
  dockerfileUnsupported,
  type SourcePosition,
} from './dockerfile-errors.js';
import { CONTEXT_DESCRIPTION, type FileTree, type TreeNode } from './dockerfile-tree.js';
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
  /** The tree being written (the stage's own), to find existing folders. */
  into?: FileTree;
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
  const roots = request.sources.flatMap((source) => matchSource(request, source));
  // Docker copies into an existing folder too; gantry knows only the folders
  // its own stages wrote, so a trailing "/" is the sure way to say "into".
  const intoFolder =
    /(^|\/)\.?$/.test(destination) ||
    destination.endsWith('/') ||
    (roots.length === 1 && request.into?.get(target)?.type === 'directory');
  if (roots.length > 1 && !intoFolder) {
    throw dockerfileError(
      position,
      `${request.keyword} of several sources needs a folder destination`,
      `end the destination with "/", e.g. ${destination}/`,
    );
  }

  const placed: Placement[] = [];
  for (const root of roots) {
    const { path: resolved, node } = followLinks(request, root);
    if (node.type === 'directory') placeFolder(request, resolved, target, placed);
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
      extract === true
        ? { type: 'opaque', what: `the archive added at /${path}` }
        : asWritten(request, node),
    ]),
  };
}

/**
 * A node as the copy writes it, for the stage's own tree: with the mode
 * `--chmod` gave and the owner it was written with, so that a later
 * `COPY --from` that stage copies what the stage holds (a script made
 * executable there stays executable).
 */
function asWritten(request: CopyRequest, node: TreeNode): TreeNode {
  if (node.type === 'opaque') return node;
  const owner = ownerOf(request, node);
  if (node.type === 'symlink') return { ...node, ...owner };
  return { ...node, mode: request.chmod ?? node.mode, ...owner };
}

/**
 * Who owns what a copy writes: `--chown`'s owner; else root for the build
 * context's files (Docker does not keep a build machine's owners); else,
 * copying from a stage or an image, the owner it has there, as BuildKit
 * keeps it.
 */
function ownerOf(request: CopyRequest, node: TreeNode): { uid: number; gid: number } {
  if (request.uid !== undefined)
    return { uid: request.uid, gid: request.gid ?? request.uid };
  if (request.from.description === CONTEXT_DESCRIPTION || node.type === 'opaque') {
    return { uid: 0, gid: 0 };
  }
  return { uid: node.uid ?? 0, gid: node.gid ?? 0 };
}

export function resolveDestination(workdir: string, destination: string): string {
  return posix.resolve('/', workdir, destination).replace(/^\/+|\/+$/g, '');
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
  const owner = ownerOf(request, node);
  const destination = `/${path}`;
  if (placement.extract === true && node.type === 'file') {
    // An extracted tarball keeps the owners its entries name, as Docker's
    // ADD does, unless --chown gives others.
    const chown = request.uid === undefined ? {} : owner;
    return {
      source: node.source,
      destination: `${destination}/`,
      extract: true,
      ...chown,
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
