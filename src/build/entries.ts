import { ErrorCode, GantryError } from '../errors.js';

/**
 * What goes into a layer, and the entries it becomes. Inputs name their
 * destination explicitly; entries are what the tar writer writes, one per
 * path, with owner, mode and content decided.
 */

/** Owner and mode overrides shared by every input kind. */
export interface InputOwnership {
  /** Permission bits for regular files (setuid, setgid and sticky included). */
  mode?: number;
  /**
   * Permission bits for directories. Kept apart from `mode` so that making
   * files 0644 never makes folders untraversable.
   */
  directoryMode?: number;
  uid?: number;
  gid?: number;
}

/**
 * A file or folder on disk, or with `extract: true` a tar (plain or gzip)
 * whose entries go under `destination`. A folder's contents go under
 * `destination`, which is written as a directory of mode 0755 (or
 * `directoryMode`): the source folder's own mode and place do not leak into
 * the layer. A file becomes `destination`, or goes inside it when
 * `destination` ends with `/`.
 */
export interface PathInput extends InputOwnership {
  source: string;
  destination: string;
  extract?: boolean;
}

/** A file given as bytes (generated content, tests). */
export interface ContentInput extends InputOwnership {
  content: string | Uint8Array;
  destination: string;
}

export interface SymlinkInput {
  symlink: string;
  destination: string;
  uid?: number;
  gid?: number;
}

/** A directory; `mode` is its mode (0755 unless given). */
export interface DirectoryInput {
  directory: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

/** `whiteout` hides a path of lower layers; `opaque` hides a folder's contents. */
export interface WhiteoutInput {
  whiteout?: string;
  opaque?: string;
}

export type LayerInput =
  | PathInput
  | ContentInput
  | SymlinkInput
  | DirectoryInput
  | WhiteoutInput;

export type EntryContent =
  | { kind: 'bytes'; bytes: Uint8Array }
  /** `size` bytes of a file from `offset`: a file on disk or inside a tar. */
  | { kind: 'file'; path: string; offset: number };

export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink';

export interface LayerEntry {
  /** Relative path: no leading `/`, no trailing `/`, no `.` or `..`. */
  path: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Symlink target (verbatim), or the path a hard link points at. */
  linkTarget?: string;
  content?: EntryContent;
  /**
   * Files of one input that are one inode (same dev and ino, or tar hard
   * links). The first in layer order keeps the content, the rest link to it.
   */
  linkGroup?: string;
  /** Made up as a parent of another entry, not given by an input. */
  implied?: boolean;
}

/** Owner of everything gantry writes unless told otherwise. */
export const DEFAULT_OWNER = 0;
/** Mode of parent directories added for nested destinations (as `mkdir -p`). */
export const IMPLIED_DIRECTORY_MODE = 0o755;
/** Mode of an in-memory file when none is given: readable by all. */
export const DEFAULT_FILE_MODE = 0o644;
/** Mode of a symlink: Linux ignores it and reports 0777. */
export const SYMLINK_MODE = 0o777;
/** Mode of whiteout files, as Docker writes them; the runtime never shows them. */
export const WHITEOUT_MODE = 0o000;

/** image-spec layer.md, "Whiteouts". */
export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

/**
 * `'/usr/local/bin/tool'` → `'usr/local/bin/tool'`. Refuses `..`, which
 * could escape the root when the layer is extracted.
 */
export function normalizePath(path: string, what: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' || part.includes('\u0000')) {
      throw new GantryError(
        ErrorCode.BuildInput,
        `${what}: path "${path}" may not contain ".." or NUL`,
        { hint: 'give destinations as absolute paths inside the image' },
      );
    }
    parts.push(part);
  }
  return parts.join('/');
}

export function joinPath(parent: string, child: string): string {
  if (parent === '') return child;
  if (child === '') return parent;
  return `${parent}/${child}`;
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Applies an input's overrides; defaults the owner to 0:0. */
export function owned(
  entry: Omit<LayerEntry, 'uid' | 'gid'> & { uid?: number; gid?: number },
  input: InputOwnership,
): LayerEntry {
  const override =
    entry.type === 'file'
      ? input.mode
      : entry.type === 'directory'
        ? input.directoryMode
        : undefined;
  return {
    ...entry,
    mode: (override ?? entry.mode) & 0o7777,
    uid: input.uid ?? entry.uid ?? DEFAULT_OWNER,
    gid: input.gid ?? entry.gid ?? DEFAULT_OWNER,
  };
}
