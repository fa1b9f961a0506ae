import type { BuiltImage } from './image.js';
import { MiB } from './image.js';
import { median } from './measure.js';
import type { MemoryRow, TimedRow } from './report.js';
import { assertSameDigest, copyWith, startWith, TOOLS, type Tool } from './tools.js';

/**
 * The measurements of the benchmark: timed copies by both tools, start-up
 * alone, and peak RSS. Progress lines go to stderr; figures are returned.
 */

export function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

/**
 * gantry and a skopeo variant, alternating (and which goes first), `runs`
 * times; `destination(tool, i)` is fresh per run.
 */
export async function compare(
  runs: number,
  scenario: string,
  source: BuiltImage,
  destination: (tool: Tool, run: number) => string,
  skopeo: Tool = 'skopeo',
): Promise<TimedRow> {
  const row: TimedRow = { scenario, gantry: [], skopeo: [] };
  const tools: Tool[] = ['gantry', skopeo];
  for (let i = 0; i < runs; i++) {
    for (const tool of i % 2 === 0 ? tools : [...tools].reverse()) {
      const run = await copyWith(tool, source.reference, destination(tool, i));
      if (tool === 'gantry') assertSameDigest(run, source.digest, scenario);
      row[tool === 'gantry' ? 'gantry' : 'skopeo'].push(run.ms);
      log(`${scenario}: ${tool} run ${i + 1} ${(run.ms / 1000).toFixed(2)} s`);
    }
  }
  return row;
}

/** What each tool pays before it copies anything, to read (c) by. */
export async function startup(runs: number): Promise<TimedRow> {
  const row: TimedRow = {
    scenario: '(s) start-up only (`--version`)',
    gantry: [],
    skopeo: [],
  };
  for (let i = 0; i < runs; i++) {
    for (const tool of TOOLS) row[tool].push((await startWith(tool)).ms);
  }
  return row;
}

/**
 * Peak RSS depends on when the garbage collector runs, so each tool copies
 * RSS_RUNS times (alternating, fresh repository each) and the median counts.
 */
const RSS_RUNS = 3;

export async function peakRss(
  scenario: string,
  source: BuiltImage,
  into: string,
  maxBytes?: number,
): Promise<MemoryRow> {
  const peaks: Record<'gantry' | 'skopeo', number[]> = { gantry: [], skopeo: [] };
  for (let i = 0; i < RSS_RUNS; i++) {
    for (const tool of TOOLS) {
      const to = `${into}-${tool}-${i}:1`;
      const run = await copyWith(tool, source.reference, to, { rss: true });
      peaks[tool].push(run.peakRss ?? Number.NaN);
      log(`${scenario}: peak RSS ${tool} ${((run.peakRss ?? 0) / MiB).toFixed(0)} MiB`);
    }
  }
  return {
    scenario,
    gantry: median(peaks.gantry),
    skopeo: median(peaks.skopeo),
    ...(maxBytes === undefined ? {} : { maxBytes }),
  };
}
