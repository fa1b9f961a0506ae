import type { Stats } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, GantryError } from '../errors.js';
import {
  baseName,
  IMPLIED_DIRECTORY_MODE,
  joinPath,
  type LayerEntry,
  normalizePath,
  owned,
  type PathInput,
  SYMLINK_MODE,
} from './entries.js';

/**
 * Entries of a file or folder on disk. Nothing about the disk leaks into
 * the layer except names, modes, symlink targets, content and which files
 * share an inode: owners default to 0:0, timestamps are replaced later, and
 * readdir order does not matter because entries are sorted afterwards.
 */
export async function entriesFromPath(
  input: PathInput,
  inputIndex: number,
): Promise<LayerEntry[]> {
  const what = `layer input "${input.source}"`;
  const top = await statOrThrow(input.source, what);
  let destination = normalizePath(input.destination, what);

  if (top.isDirectory()) {
    const entries: LayerEntry[] = [];
    if (destination !== '') {
      const fields = { path: destination, type: 'directory' as const, size: 0 };
      entries.push(owned({ ...fields, mode: IMPLIED_DIRECTORY_MODE }, input));
    }
    await walk(input.source, destination, input, `${inputIndex}`, entries);
    return entries;
  }
  if (!top.isFile()) throw unsupported(input.source, what);

  if (input.destination.endsWith('/') || destination === '') {
    destination = joinPath(destination, baseName(normalizePath(input.source, what)));
  }
  // A single file has no hard-link partner inside its input.
  return [fileEntry(destination, input.source, top, input)];
}

async function walk(
  folder: string,
  destination: string,
  input: PathInput,
  group: string,
  entries: LayerEntry[],
): Promise<void> {
  const names = await readdir(folder).catch((cause: unknown) => {
    throw readFailure(folder, cause);
  });
  for (const name of names) {
    const source = join(folder, name);
    const path = joinPath(destination, name);
    const stats = await lstat(source).catch((cause: unknown) => {
      throw readFailure(source, cause);
    });

    if (stats.isDirectory()) {
      entries.push(directoryEntry(path, stats, input));
      await walk(source, path, input, group, entries);
    } else if (stats.isSymbolicLink()) {
      const target = await readlink(source);
      entries.push(
        owned(
          { path, type: 'symlink', mode: SYMLINK_MODE, size: 0, linkTarget: target },
          input,
        ),
      );
    } else if (stats.isFile()) {
      const entry = fileEntry(path, source, stats, input);
      if (stats.nlink > 1) entry.linkGroup = `${group}:${stats.dev}:${stats.ino}`;
      entries.push(entry);
    } else {
      throw unsupported(source, `layer input "${input.source}"`);
    }
  }
}

function directoryEntry(path: string, stats: Stats, input: PathInput): LayerEntry {
  return owned({ path, type: 'directory', mode: stats.mode, size: 0 }, input);
}

function fileEntry(
  path: string,
  source: string,
  stats: Stats,
  input: PathInput,
): LayerEntry {
  return owned(
    {
      path,
      type: 'file',
      mode: stats.mode,
      size: stats.size,
      content: { kind: 'file', path: source, offset: 0 },
    },
    input,
  );
}

async function statOrThrow(path: string, what: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (cause) {
    throw new GantryError(
      ErrorCode.BuildInput,
      `${what}: cannot read: ${message(cause)}`,
      {
        hint: 'check that the source path exists and is readable',
        cause,
      },
    );
  }
}

function readFailure(path: string, cause: unknown): GantryError {
  return new GantryError(
    ErrorCode.BuildInput,
    `cannot read "${path}": ${message(cause)}`,
    { cause, hint: 'check that the file exists in the build context and can be read' },
  );
}

function unsupported(path: string, what: string): GantryError {
  return new GantryError(
    ErrorCode.BuildInput,
    `${what}: "${path}" is a device, socket or pipe, which layers do not carry`,
    { hint: 'remove it from the input folder or exclude it' },
  );
}

function message(cause: unknown): string {
  return (cause as NodeJS.ErrnoException).code ?? String(cause);
}
