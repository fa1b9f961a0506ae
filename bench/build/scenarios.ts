import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Measured } from '../copy/measure.js';
import { log } from './log.js';
import { type BuildJob, buildahBuild, gantryBuild } from './tools.js';

/**
 * The timed builds: gantry and buildah alternating (and which goes first),
 * each pushing into a fresh repository of the registry, and gantry again
 * with a warm layer cache. Every push is checked before its time counts.
 */

export interface TimedRow {
  scenario: string;
  gantry: number[];
  buildah: number[];
  /** Ratio gantry/buildah the median must stay at or under, if any. */
  maxRatio?: number;
  /** gantry's gzip level in this row, when not its default. */
  gantryLevel?: number;
}

export interface Scenario {
  /** Row label, e.g. "(a) FROM scratch + esbuild, 2 platforms". */
  title: string;
  /** Short repository name part, e.g. "esbuild". */
  label: string;
  context: string;
  platforms: readonly string[];
}

type Tool = 'gantry' | 'buildah';

/** Media types a pushed image or index may have, for the check's Accept. */
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];
const INDEX_TYPES = new Set([MANIFEST_TYPES[0], MANIFEST_TYPES[2]]);

export async function compare(
  host: string,
  runs: number,
  scenario: Scenario,
  maxRatio: number,
): Promise<TimedRow> {
  const row: TimedRow = { scenario: scenario.title, gantry: [], buildah: [], maxRatio };
  const tools: Tool[] = ['gantry', 'buildah'];
  for (let i = 0; i < runs; i++) {
    for (const tool of i % 2 === 0 ? tools : [...tools].reverse()) {
      const job = jobFor(host, scenario, `${tool}-${i}`);
      const run = await (tool === 'gantry' ? gantryBuild(job) : buildahBuild(job));
      await assertPushed(host, job);
      row[tool].push(run.ms);
      log(`${scenario.title}: ${tool} run ${i + 1} ${seconds(run)}`);
    }
  }
  return row;
}

/**
 * gantry with a layer cache that one untimed build filled first: what a
 * CI job with a restored cache folder gets. buildah's column repeats the
 * cold runs of `cold`, since buildah has no such cache for a fresh runner.
 */
export async function warmGantry(
  host: string,
  runs: number,
  scenario: Scenario,
  cold: TimedRow,
): Promise<TimedRow> {
  const title = `${scenario.title}, gantry with a warm layer cache`;
  const row: TimedRow = { scenario: title, gantry: [], buildah: cold.buildah };
  const cacheDir = mkdtempSync(join(tmpdir(), 'gantry-bench-cache-'));
  try {
    await gantryBuild(jobFor(host, scenario, 'warm-fill'), cacheDir);
    for (let i = 0; i < runs; i++) {
      const job = jobFor(host, scenario, `warm-${i}`);
      const run = await gantryBuild(job, cacheDir);
      await assertPushed(host, job);
      row.gantry.push(run.ms);
      log(`${title}: run ${i + 1} ${seconds(run)}`);
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  return row;
}

/**
 * gantry cold at another gzip level, for information only (no target):
 * what the level costs. buildah's column repeats the cold runs of `cold`.
 */
export async function gantryAtLevel(
  host: string,
  runs: number,
  scenario: Scenario,
  cold: TimedRow,
  level: number,
): Promise<TimedRow> {
  const title = `${scenario.title}, gantry at gzip level ${level}`;
  const row: TimedRow = {
    scenario: title,
    gantry: [],
    buildah: cold.buildah,
    gantryLevel: level,
  };
  for (let i = 0; i < runs; i++) {
    const job = jobFor(host, scenario, `level${level}-${i}`);
    const run = await gantryBuild(job, undefined, level);
    await assertPushed(host, job);
    row.gantry.push(run.ms);
    log(`${title}: run ${i + 1} ${seconds(run)}`);
  }
  return row;
}

function jobFor(host: string, scenario: Scenario, suffix: string): BuildJob {
  return {
    context: scenario.context,
    platforms: scenario.platforms,
    destination: `${host}/bench/${scenario.label}-${suffix}:1`,
  };
}

/**
 * A figure for a push that did not happen would be a lie: the registry must
 * serve the tag, as an index when several platforms were built.
 */
export async function assertPushed(host: string, job: BuildJob): Promise<void> {
  const [repository, tag] = job.destination.slice(host.length + 1).split(':') as [
    string,
    string,
  ];
  const url = `http://${host}/v2/${repository}/manifests/${tag}`;
  const response = await fetch(url, {
    method: 'HEAD',
    headers: { accept: MANIFEST_TYPES.join(', ') },
  });
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok)
    throw new Error(`${job.destination}: not pushed (${response.status})`);
  if (job.platforms.length > 1 && !INDEX_TYPES.has(type)) {
    throw new Error(`${job.destination}: ${type}, expected an index`);
  }
}

function seconds(run: Measured): string {
  return `${(run.ms / 1000).toFixed(2)} s`;
}
