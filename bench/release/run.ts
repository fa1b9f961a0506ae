/**
 * `npm run bench:release`: the real-world release (one scratch base and 24
 * variants, two platforms, 84 tags in each of two local registries) by
 * `gantry release` and by the buildah + skopeo script of buildah.ts, side by
 * side: runs rotate among them (and which goes first), every run into
 * fresh repositories, gantry with an empty layer cache, once with its
 * read-back and once with `--no-verify` (the script's work alone). Prints
 * the medians, the ratios against the target, and gantry's HTTP request
 * count (its `--debug` trace, from one extra untimed run) and uploaded bytes
 * (its record). Needs root for buildah. Not part of `npm test`.
 * Flags: `--runs N` (default RUNS), `--variants N` (default all), `--no-build`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readReleaseFile } from '../../src/release/file.js';
import { gatherPlanInputs } from '../../src/release/inputs.js';
import { planRelease } from '../../src/release/plan.js';
import type { ReleaseRecord } from '../../src/release/record.js';
import { walkTags } from '../../test/release/fixtures/real-world/walk.js';
import { machine } from '../build/report.js';
import { measure, median } from '../copy/measure.js';
import { log } from '../copy/scenarios.js';
import { releaseWithBuildah } from './buildah.js';
import { buildDist, type ReleaseBench, withReleaseBench } from './setup.js';
import { GANTRY_BIN, type ReleaseRun } from './stop.js';

/** At least three runs per tool, so the median is not one run. */
const RUNS = 3;

/** The `--debug` trace of a whole release: a few MB; room to spare. */
const TRACE_BUFFER = 256 * 1024 * 1024;

/** Issue 5: gantry at least ten times faster than the buildah + skopeo script. */
const TARGET_SPEEDUP = 10;

interface Figures {
  gantry: number[];
  /** `--no-verify`: the script's work alone, without gantry's read-back. */
  published: number[];
  script: number[];
  tags: number;
  requests: number;
  uploadedBytes: number;
  uploadedBlobs: number;
}

function flag(argv: string[], name: string): number | undefined {
  const at = argv.indexOf(name);
  if (at < 0) return undefined;
  const value = Number(argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a count`);
  return value;
}

/** `gantry --json release` with its own empty cache; the run's record. */
async function gantryRelease(run: ReleaseRun, extra: string[] = []) {
  const record = join(dirname(run.file), 'record.json');
  // measure() spawns with this process's environment; each run gets a fresh cache.
  Object.assign(process.env, run.env, {
    XDG_CACHE_HOME: join(dirname(run.file), 'cache'),
  });
  const args = [GANTRY_BIN, '--json', 'release', ...extra, '--record', record, run.file];
  const timed = await measure(process.execPath, args);
  const written = JSON.parse(await readFile(record, 'utf8')) as ReleaseRecord;
  return { ms: timed.ms, record: written };
}

async function scriptRelease(run: ReleaseRun & { repositories: string[] }) {
  const file = await readReleaseFile(run.file);
  const inputs = await gatherPlanInputs(file, { cwd: dirname(run.file), env: run.env });
  return releaseWithBuildah(planRelease(file, inputs), run.file, run.repositories);
}

/** Both repositories hold `tags` tags, each naming complete content. */
async function assertComplete(bench: ReleaseBench, repositories: string[], tags: number) {
  for (const repository of repositories) {
    assert.equal((await walkTags(bench.client, repository)).length, tags, repository);
  }
}

/** One more gantry release, untimed, with `--debug`: a request is one `http >` line. */
function countRequests(run: ReleaseRun): number {
  const record = join(dirname(run.file), 'record.json');
  const traced = spawnSync(
    process.execPath,
    [GANTRY_BIN, '--debug', 'release', '--record', record, run.file],
    { encoding: 'utf8', env: { ...process.env, ...run.env }, maxBuffer: TRACE_BUFFER },
  );
  assert.equal(traced.status, 0, traced.stderr);
  return traced.stderr.split('\n').filter((line) => line.includes('http > ')).length;
}

async function compare(bench: ReleaseBench, runs: number, variants?: number) {
  const figures: Figures = {
    gantry: [],
    published: [],
    script: [],
    tags: 0,
    requests: 0,
    uploadedBytes: 0,
    uploadedBlobs: 0,
  };
  for (let i = 0; i < runs; i++) {
    const tools = ['gantry', 'script', 'published'];
    const order = [...tools.slice(i % 3), ...tools.slice(0, i % 3)];
    for (const tool of order) {
      const run = await bench.release(`${tool}-${i}`, variants);
      if (tool === 'published') {
        figures.published.push((await gantryRelease(run, ['--no-verify'])).ms);
      } else if (tool === 'gantry') {
        const { ms, record } = await gantryRelease(run);
        figures.gantry.push(ms);
        figures.tags = record.tags.length / 2;
        figures.uploadedBytes = record.destinations.reduce(
          (s, d) => s + d.uploaded.bytes,
          0,
        );
        figures.uploadedBlobs = record.destinations.reduce(
          (s, d) => s + d.uploaded.blobs,
          0,
        );
      } else {
        figures.script.push(await scriptRelease(run));
      }
      await assertComplete(bench, run.repositories, figures.tags);
      const ms = figures[tool as 'gantry' | 'script' | 'published'].at(-1)!;
      log(`run ${i} ${tool}: ${(ms / 1000).toFixed(1)} s`);
    }
  }
  figures.requests = countRequests(await bench.release('count', variants));
  return figures;
}

function report(f: Figures, variants: number | undefined): string {
  const s = median(f.script);
  const images = `${(variants ?? 24) + 1} images`;
  const row = (what: string, runs: number[]) => {
    const g = median(runs);
    const speedup = s / g;
    const holds = speedup >= TARGET_SPEEDUP ? 'yes' : '**no**';
    return (
      `| ${images}, ${what} | ${(g / 1000).toFixed(1)} s | ${(s / 1000).toFixed(1)} s | ` +
      `${speedup.toFixed(1)} × | ≥ ${TARGET_SPEEDUP} × | ${holds} |`
    );
  };
  return [
    `Release of ${images}, 2 platforms, ${f.tags} tags in each of 2 registries`,
    '',
    '| release | gantry median | buildah + skopeo median | speed-up | target | holds |',
    '|---|---:|---:|---:|---|:-:|',
    row('with its read-back', f.gantry),
    row('`--no-verify` (the script reads nothing back)', f.published),
    '',
    `gantry: ${f.requests} HTTP requests, uploaded ${f.uploadedBlobs} blobs, ` +
      `${f.uploadedBytes} bytes (both registries)`,
    `runs (s): gantry ${f.gantry.map((ms) => (ms / 1000).toFixed(1)).join(', ')}; ` +
      `--no-verify ${f.published.map((ms) => (ms / 1000).toFixed(1)).join(', ')}; ` +
      `script ${f.script.map((ms) => (ms / 1000).toFixed(1)).join(', ')}`,
    '',
    machine(),
  ].join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const runs = flag(argv, '--runs') ?? RUNS;
  const variants = flag(argv, '--variants');
  if (process.getuid?.() !== 0) throw new Error('bench:release runs buildah as root');
  if (!argv.includes('--no-build')) buildDist();
  const figures = await withReleaseBench((bench) => compare(bench, runs, variants));
  process.stdout.write(`${report(figures, variants)}\n`);
}

await main();
