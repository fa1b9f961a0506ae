/**
 * Parallel gzip against single-thread zlib.gzip at the same level, on about
 * 200 MB of semi-compressible data (text lines with random words, ratio near
 * that of binaries in a layer). Runs alternate, three each; prints MiB/s and
 * the speed-up. Not a test: timings depend on the machine.
 *
 *   node --import tsx bench/build/gzip.ts [MiB] [level]
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import { DEFAULT_GZIP_LEVEL, gzipParallel } from '../../src/build/index.js';

const MIB = 1024 * 1024;
/** About 200 MB, as asked for the comparison. */
const DEFAULT_MIB = 190;
const RUNS = 3;

function sample(bytes: number): Buffer {
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  let counter = 0;
  while (at < bytes) {
    const word = createHash('sha1').update(String(counter++)).digest('base64');
    at += out.write(
      `${counter} ${word.slice(0, 10)} fn call(arg, ${counter % 97})\n`,
      at,
    );
  }
  return out;
}

async function main(): Promise<void> {
  const size = Number(process.argv[2] ?? DEFAULT_MIB) * MIB;
  const level = Number(process.argv[3] ?? DEFAULT_GZIP_LEVEL);
  const input = sample(size);
  const single = promisify(gzip);
  console.log(`input ${size / MIB} MiB, level ${level}, ${availableParallelism()} cores`);

  const rates = { parallel: [] as number[], zlib: [] as number[] };
  let sizes = { parallel: 0, zlib: 0 };
  for (let run = 0; run < RUNS; run++) {
    let start = performance.now();
    const p = await gzipParallel(input, { level });
    rates.parallel.push(size / MIB / ((performance.now() - start) / 1000));

    start = performance.now();
    const z = await single(input, { level });
    rates.zlib.push(size / MIB / ((performance.now() - start) / 1000));
    sizes = { parallel: p.length, zlib: z.length };
    if (run === 0 && !gunzipSync(p).equals(input)) throw new Error('round trip failed');
  }

  const best = (list: number[]) => Math.max(...list);
  for (const name of ['parallel', 'zlib'] as const) {
    const list = rates[name].map((rate) => rate.toFixed(1)).join(', ');
    const ratio = ((sizes[name] / size) * 100).toFixed(1);
    console.log(
      `${name.padEnd(8)} ${list} MiB/s ` +
        `(best ${best(rates[name]).toFixed(1)}), ${ratio}% of input`,
    );
  }
  console.log(
    `speed-up ${(best(rates.parallel) / best(rates.zlib)).toFixed(2)}x (target 1.6x)`,
  );
}

await main();
