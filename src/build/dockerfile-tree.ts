import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, GantryError } from '../errors.js';
import { DockerIgnore } from './dockerignore.js';
import { DEFAULT_OWNER, IMPLIED_DIRECTORY_MODE, parentOf } from './entries.js';

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

/** A folder no write named, only implied as the parent of one. */
const IMPLIED_FOLDER: TreeNode = {
  type: 'directory',
  mode: IMPLIED_DIRECTORY_MODE,
  uid: DEFAULT_OWNER,
  gid: DEFAULT_OWNER,
};

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

  /**
   * Places a node, replacing what was at the path and below it. Missing
   * parent folders are made as the layer writer makes them (and BuildKit:
   * 0755, owned 0:0), so `COPY --from` finds `/out` after a stage wrote
   * only `/out/conf/a.conf`; parents already there are kept as they are.
   */
  put(path: string, node: TreeNode): void {
    this.writes.push([path, node]);
    if (node.type !== 'directory' || this.nodes.get(path)?.type !== 'directory') {
      for (const key of [...this.nodes.keys()]) {
        if (key.startsWith(`${path}/`)) this.nodes.delete(key);
      }
    }
    this.nodes.set(path, node);
    for (let parent = parentOf(path); parent !== ''; parent = parentOf(parent)) {
      if (this.nodes.has(parent)) break;
      this.nodes.set(parent, IMPLIED_FOLDER);
    }
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

/** The description of the build context's tree, told apart in messages. */
export const CONTEXT_DESCRIPTION = 'build context';

/**
 * The build context: every file under `root` that the ignore file keeps:
 * `ignoreFile` when it exists (a Dockerfile's own), else `.dockerignore`.
 * TODO(perf): the whole context is listed up front; a context with huge
 * ignored folders is pruned only when no `!` exception exists.
 */
export async function loadContext(root: string, ignoreFile?: string): Promise<MapTree> {
  const own = ignoreFile === undefined ? undefined : await readText(ignoreFile);
  const ignoreText = own ?? (await readText(join(root, DOCKERIGNORE_FILE)));
  const ignore =
    ignoreText === undefined ? DockerIgnore.none : DockerIgnore.parse(ignoreText);
  const tree = new MapTree(CONTEXT_DESCRIPTION, true);
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
