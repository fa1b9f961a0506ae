import { fileURLToPath } from 'node:url';
import { measure } from '../copy/measure.js';

/**
 * Runs bench/build/gzip.ts as a child (its own process, so neither the
 * builds nor this script's heap disturb it) and reads its summary lines:
 * the best MiB/s of gantry's parallel gzip and of single-thread zlib.
 */

const GZIP_BENCH = fileURLToPath(new URL('./gzip.ts', import.meta.url));

/** gzip.ts's own target: parallel gzip at least 1.6 × single-thread zlib. */
export const TARGET_GZIP_SPEEDUP = 1.6;

export interface GzipRow {
  inputMiB: number;
  level: number;
  parallel: number;
  zlib: number;
}

export async function gzipRow(mib: number | undefined): Promise<GzipRow> {
  const args = [
    '--import',
    'tsx',
    GZIP_BENCH,
    ...(mib === undefined ? [] : [String(mib)]),
  ];
  const { stdout } = await measure(process.execPath, args);
  const input = /input ([\d.]+) MiB, level (\d+)/.exec(stdout);
  const best = (name: string) =>
    Number(new RegExp(`^${name}\\s.*\\(best ([\\d.]+)\\)`, 'm').exec(stdout)?.[1]);
  const row = {
    inputMiB: Number(input?.[1]),
    level: Number(input?.[2]),
    parallel: best('parallel'),
    zlib: best('zlib'),
  };
  if (Object.values(row).some(Number.isNaN)) {
    throw new Error(`cannot read the output of ${GZIP_BENCH}:\n${stdout}`);
  }
  return row;
}

export function gzipTable(row: GzipRow): string {
  const speedUp = row.parallel / row.zlib;
  const holds = speedUp >= TARGET_GZIP_SPEEDUP ? 'yes' : '**no**';
  return [
    '| gzip, level ' +
      `${row.level}, ${row.inputMiB} MiB (best of 3) ` +
      '| gantry parallel | node zlib, one thread | speed-up | target | holds |',
    '|---|---:|---:|---:|---|:-:|',
    `| throughput | ${row.parallel.toFixed(1)} MiB/s | ${row.zlib.toFixed(1)} MiB/s ` +
      `| ${speedUp.toFixed(2)}× | ≥ ${TARGET_GZIP_SPEEDUP}× | ${holds} |`,
  ].join('\n');
}
