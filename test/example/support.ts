import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { EXAMPLE_DIR, makeBases } from '../../examples/esbuild/bases.js';
import type { MadeBase } from '../../examples/esbuild/debian/build-base.js';
import { readTarEntries, type TarEntry, tarSourceFromBytes } from '../../src/index.js';

/**
 * The example's real inputs for tests: the esbuild binaries (fetch.sh) and
 * the Debian packages, fetched through the example's own code, which keeps
 * them in examples/esbuild/dist and .cache: only a first run on a fresh
 * machine uses the network.
 */

export { EXAMPLE_DIR };

/** The epoch `npm run example` uses (run.sh): 2026-01-01T00:00:00Z. */
export const EXAMPLE_EPOCH = 1767225600;

/** The esbuild version the example releases (examples/esbuild/esbuild.version). */
export function esbuildVersion(): string {
  return readFileSync(join(EXAMPLE_DIR, 'esbuild.version'), 'utf8').trim();
}

/** Runs fetch.sh, which does nothing when both binaries are there. */
export function fetchEsbuild(): void {
  execFileSync('bash', [join(EXAMPLE_DIR, 'fetch.sh')], {
    env: { ...process.env, ESBUILD_VERSION: esbuildVersion() },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * The example's bases, made into `layoutDir` at the example's epoch; with
 * `layerCache: false` every layer is compressed afresh.
 */
export function makeExampleBases(
  layoutDir: string,
  layerCache?: false,
): Promise<MadeBase[]> {
  return makeBases({ layoutDir, epoch: EXAMPLE_EPOCH, layerCache });
}

/** ELF header (System V gABI): `e_machine` at byte 18, little-endian here. */
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const E_MACHINE_OFFSET = 18;
/** elf.h: EM_X86_64 and EM_AARCH64. */
export const ELF_MACHINE: Record<string, number> = { amd64: 62, arm64: 183 };

/** The machine an ELF file is built for, or undefined when it is not ELF. */
export function elfMachine(bytes: Uint8Array): number | undefined {
  if (!ELF_MAGIC.every((byte, i) => bytes[i] === byte)) return undefined;
  return Buffer.from(bytes).readUInt16LE(E_MACHINE_OFFSET);
}

export interface LayerFile {
  entry: TarEntry;
  bytes: Uint8Array;
}

/** Every entry of a gzip layer by path, with its content. */
export async function layerFiles(blob: Uint8Array): Promise<Map<string, LayerFile>> {
  const tar = gunzipSync(blob);
  const files = new Map<string, LayerFile>();
  for await (const entry of readTarEntries(tarSourceFromBytes(tar), 'layer')) {
    const bytes = tar.subarray(entry.dataOffset, entry.dataOffset + entry.size);
    files.set(entry.path, { entry, bytes });
  }
  return files;
}
