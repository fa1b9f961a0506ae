import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, GantryError } from '../errors.js';
import { DockerIgnore } from './dockerignore.js';

/**
 * File trees COPY reads from: the build context (a folder on disk with
 * `.dockerignore` applied) and the file systems of stages gantry evaluated
 * itself. A node says where its content is on disk, never holds it.
 * Paths are relative (`usr/local/bin/tool`); the root is `''`.
 */

export type TreeNode =
  | { type: 'file'; source: string; mode: number; uid?: number; gid?: number }
  | { type: 'directory'; mode: number; uid?: number; gid?: number }
  | { type: 'symlink'; target: string; uid?: number; gid?: number }
  /** Content that only a layer holds (an extracted tarball): not readable here. */
  | { type: 'opaque'; what: string };

export interface FileTree {
  /** Names the tree in messages: `build context`, `stage "bin"`. */
  readonly description: string;
  /** Whether lookups that find nothing are certain (false above an image base). */
  readonly complete: boolean;
  get(path: string): TreeNode | undefined;
  /** Every path, parents before children. */
  paths(): string[];
}

export class MapTree implements FileTree {
  readonly nodes = new Map<string, TreeNode>();
  /** Every put, in order: replayed over a base image's tree when one is read. */
  readonly writes: [string, TreeNode][] = [];

  constructor(
    readonly description: string,
    readonly complete: boolean,
  ) {
    this.nodes.set('', { type: 'directory', mode: 0o755 });
  }

  get(path: string): TreeNode | undefined {
    return this.nodes.get(path);
  }

  paths(): string[] {
    return [...this.nodes.keys()].sort();
  }

  /** Places a node, replacing what was at the path and below it. */
  put(path: string, node: TreeNode): void {
    this.writes.push([path, node]);
    if (node.type !== 'directory' || this.nodes.get(path)?.type !== 'directory') {
      for (const key of [...this.nodes.keys()]) {
        if (key.startsWith(`${path}/`)) this.nodes.delete(key);
      }
    }
    this.nodes.set(path, node);
  }

  /** Removes a path and everything below it (a whiteout). */
  remove(path: string): void {
    for (const key of [...this.nodes.keys()]) {
      if (key === path || key.startsWith(`${path}/`)) this.nodes.delete(key);
    }
  }

  copy(description: string, complete = this.complete): MapTree {
    const tree = new MapTree(description, complete);
    for (const [path, node] of this.nodes) tree.nodes.set(path, node);
    tree.writes.push(...this.writes);
    return tree;
  }
}

/** The name of the ignore file at the context root. */
export const DOCKERIGNORE_FILE = '.dockerignore';

/**
 * The build context: every file under `root` that `.dockerignore` keeps.
 * TODO(perf): the whole context is listed up front; a context with huge
 * ignored folders is pruned only when no `!` exception exists.
 */
export async function loadContext(root: string): Promise<MapTree> {
  const ignoreText = await readText(join(root, DOCKERIGNORE_FILE));
  const ignore =
    ignoreText === undefined ? DockerIgnore.none : DockerIgnore.parse(ignoreText);
  const tree = new MapTree('build context', true);
  await walk(root, '', ignore, tree);
  return tree;
}

async function walk(folder: string, prefix: string, ignore: DockerIgnore, tree: MapTree) {
  const names = await readdir(folder).catch((cause: unknown) => {
    throw contextFailure(folder, cause);
  });
  for (const name of names.sort()) {
    const path = prefix === '' ? name : `${prefix}/${name}`;
    const source = join(folder, name);
    const stats = await lstat(source);
    if (stats.isDirectory()) {
      if (ignore.skipsFolder(path)) continue;
      if (!ignore.excludes(path))
        tree.put(path, { type: 'directory', mode: stats.mode & 0o7777 });
      await walk(source, path, ignore, tree);
    } else if (ignore.excludes(path)) {
      // left out by .dockerignore
    } else if (stats.isFile()) {
      tree.put(path, { type: 'file', source, mode: stats.mode & 0o7777 });
    } else if (stats.isSymbolicLink()) {
      tree.put(path, { type: 'symlink', target: await readlink(source) });
    }
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw contextFailure(file, error);
  }
}

function contextFailure(path: string, cause: unknown): GantryError {
  return new GantryError(ErrorCode.BuildInput, `cannot read build context at ${path}`, {
    hint: 'check that the context folder exists and is readable',
    cause,
  });
}
