import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import {
  readTarEntries,
  type TarEntry,
  tarSourceFromBytes,
} from '../../src/build/index.js';

// Shared parts of the build tests: temp folders removed after each file,
// and a reader that lists a layer blob's entries with their content.

export const run = promisify(execFile);

const made: string[] = [];
after(async () => {
  await Promise.all(made.map((path) => rm(path, { recursive: true, force: true })));
});

export async function tempDir(prefix = 'gantry-build-test-'): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  made.push(path);
  return path;
}

export interface ReadEntry extends TarEntry {
  content: Buffer;
}

/** The entries of an uncompressed tar, content included. */
export async function listTar(tar: Uint8Array): Promise<ReadEntry[]> {
  const entries: ReadEntry[] = [];
  for await (const entry of readTarEntries(tarSourceFromBytes(tar), 'test tar')) {
    const end = entry.dataOffset + entry.size;
    entries.push({ ...entry, content: Buffer.from(tar.subarray(entry.dataOffset, end)) });
  }
  return entries;
}

/** The tar inside a gzip or uncompressed blob file. */
export async function blobTar(path: string): Promise<Buffer> {
  const blob = await readFile(path);
  return blob[0] === 0x1f && blob[1] === 0x8b ? gunzipSync(blob) : blob;
}

/** `path -> entry` for quick lookups. */
export function byPath(entries: ReadEntry[]): Map<string, ReadEntry> {
  return new Map(entries.map((entry) => [entry.path, entry]));
}
