/**
 * `npm run bench:copy`: gantry copy against skopeo copy, on two local
 * registries this script starts itself. Not part of `npm test`.
 *
 *   (a) registry A to registry B, a two-platform image with attestations
 *   (a′) the same, skopeo keeping its blob-info cache between runs (tools.ts)
 *   (b) A/repo to A/other: gantry mounts, skopeo copies
 *   (c) the copy of (a) again, when the destination has everything
 *   (d) peak RSS while copying an image with a 1 GiB layer, A to B
 *   (e) the same-registry copy of a 500 MiB image
 *
 * Runs alternate between the tools (and which goes first), each copy into a
 * fresh destination repository, so neither tool gains from a warmer cache
 * of the other. Flags: `--runs N` (default RUNS), `--no-build`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient } from '../../src/registry/client.js';
import { type RunningRegistry, startRegistry } from '../../test/harness/registries.js';
import { buildDist } from '../dist.js';
import { type ImageShape, MiB, pushImage } from './image.js';
import { machine, memoryTable, runsTable, type TimedRow, timedTable } from './report.js';
import { compare, log, peakRss, startup } from './scenarios.js';
import { skopeoRunsCold, type Tool } from './tools.js';

/** At least five runs per tool and scenario, so one outlier moves no median. */
const RUNS = 5;

/** A release-like image: 2 platforms × 6 layers, 94 MiB of random content. */
const RELEASE_IMAGE: ImageShape = {
  platforms: ['linux/amd64', 'linux/arm64'],
  layerSizes: [20, 12, 8, 4, 2, 1].map((n) => n * MiB),
};
/** One layer of 1 GiB: shows whether a copy streams or buffers its blobs. */
const BIG_LAYER_IMAGE: ImageShape = {
  platforms: ['linux/amd64'],
  layerSizes: [1024 * MiB, 1 * MiB],
};
/** 2 × 250 MiB: a same-registry copy of it should cost no more than its manifests. */
const HALF_GIB_IMAGE: ImageShape = {
  platforms: ['linux/amd64', 'linux/arm64'],
  layerSizes: [100, 60, 40, 25, 15, 10].map((n) => n * MiB),
};

const TARGET_RATIO = 0.8;
const TARGET_SAME_REGISTRY_MS = 1000;
const TARGET_PEAK_RSS = 150 * 1e6;

function options(argv: string[]): { runs: number; build: boolean } {
  const at = argv.indexOf('--runs');
  const runs = at >= 0 ? Number(argv[at + 1]) : RUNS;
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs needs a count');
  return { runs, build: !argv.includes('--no-build') };
}

async function bench(a: string, b: string, runs: number, dir: string): Promise<string> {
  const client = new RegistryClient();
  log('pushing the images to registry A');
  const release = await pushImage(client, `${a}/bench/app:1`, RELEASE_IMAGE, dir);
  const big = await pushImage(client, `${a}/bench/big:1`, BIG_LAYER_IMAGE, dir);
  const half = await pushImage(client, `${a}/bench/half:1`, HALF_GIB_IMAGE, dir);
  await client.close();

  const size = `${(release.totalBytes / MiB).toFixed(0)} MiB`;
  const shape = `${size}, ${release.layerCount} layers, 2 platforms + attestations`;
  const fresh = (host: string, label: string) => (tool: Tool, i: number) =>
    `${host}/bench/${label}-${tool}-${i}:1`;

  const rows: TimedRow[] = [];
  const aToB = await compare(runs, `(a) A → B, ${shape}`, release, fresh(b, 'a'));
  rows.push({ ...aToB, maxRatio: TARGET_RATIO });
  rows.push(await compare(runs, `(b) A → A other repo, ${size}`, release, fresh(a, 'b')));
  rows.push(await compare(runs, `(c) A → B again, all present`, release, fresh(b, 'a')));
  const halfRow = await compare(
    runs,
    '(e) A → A other repo, 500 MiB',
    half,
    fresh(a, 'e'),
  );
  rows.push({ ...halfRow, maxMs: TARGET_SAME_REGISTRY_MS });
  const warm = `(a′) A → B, skopeo reusing its blob-info cache`;
  rows.push(await compare(runs, warm, release, fresh(b, 'warm'), 'skopeo-warm'));
  rows.push(await startup(runs));
  const memory = [
    await peakRss('(d) A → B, 1 GiB layer', big, `${b}/bench/big`, TARGET_PEAK_RSS),
    // Not a target: many blobs in flight at once, for comparison.
    await peakRss(`(d′) A → B, the image of (a)`, release, `${b}/bench/rss`),
  ];

  return [
    `### gantry copy vs skopeo copy (${runs} runs each, medians)`,
    '',
    timedTable(rows),
    '',
    memoryTable(memory),
    '',
    skopeoRunsCold()
      ? 'skopeo runs with an empty blob-info cache except in (a′), where it ' +
        'mounts blobs it remembers from earlier runs into the fresh repository.'
      : 'skopeo ran with its persistent blob-info cache (no unshare here): ' +
        'later runs may mount blobs from earlier runs.',
    '',
    'Machine:',
    '',
    machine(),
    '',
    '<details><summary>every run</summary>',
    '',
    runsTable(rows),
    '',
    '</details>',
  ].join('\n');
}

async function main(): Promise<void> {
  const { runs, build } = options(process.argv.slice(2));
  if (build) {
    buildDist(log);
  }

  const dir = mkdtempSync(join(tmpdir(), 'gantry-bench-'));
  // gantry's compile cache (bin/gantry.cjs) starts empty in a folder of the
  // bench's own: each command's first timed run compiles, the rest reuse it.
  process.env.XDG_CACHE_HOME = join(dir, 'xdg-cache');
  const registries: RunningRegistry[] = [];
  try {
    registries.push(await startRegistry('plain'), await startRegistry('plain'));
    const [a, b] = registries.map((r) => r.host) as [string, string];
    process.stdout.write(`${await bench(a, b, runs, dir)}\n`);
  } finally {
    await Promise.allSettled(registries.map((r) => r.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
