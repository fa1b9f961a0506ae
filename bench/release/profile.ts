/**
 * `node --import tsx bench/release/profile.ts`: where one `gantry release` of the
 * real-world release spends its requests. Runs it once with `--debug`,
 * splits the trace into phases at the release's progress lines (build,
 * compare and content until the first tag line, tags until the last one,
 * then the verification) and counts requests per phase by method and kind (base,
 * tag, manifest by digest, blob, upload, `/v2/` probe). Prints the record's
 * timings and each phase's wall time. Not part of `npm test`.
 * Flags: `--variants N` (default all), `--no-build`, `--cpu-prof DIR`,
 * `--no-debug` (no trace: wall and CPU time without the debug log's cost).
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ReleaseRecord } from '../../src/release/record.js';
import { buildDist, withReleaseBench } from './setup.js';
import { GANTRY_BIN, type ReleaseRun } from './stop.js';

/** Destinations publish side by side: content ends where the first tag starts. */
type Phase = 'build, compare, content' | 'tags' | 'verify';

interface Trace {
  counts: Map<Phase, Map<string, number>>;
  ms: Map<Phase, number>;
  total: number;
}

/** What a request is for, from its method and path (distribution-spec routes). */
function kindOf(method: string, url: string): string {
  const path = new URL(url).pathname;
  if (path === '/v2/') return `${method} /v2/`;
  if (path.includes('/blobs/uploads/')) return `${method} upload`;
  if (path.includes('/blobs/')) return `${method} blob`;
  if (/\/manifests\/sha256:/.test(path)) return `${method} manifest@digest`;
  if (path.includes('/manifests/')) return `${method} manifest:tag`;
  if (path.includes('/referrers/')) return `${method} referrers`;
  return `${method} other`;
}

/**
 * Each line's phase, once the run is over: content until the first tag
 * line, tags until the last one, then verification (which prints nothing
 * until its report when stderr is not a terminal).
 */
function phasesOf(lines: readonly string[]): Phase[] {
  const isTag = (line: string) => line.startsWith('tag ');
  const first = lines.findIndex(isTag);
  const last = lines.findLastIndex(isTag);
  return lines.map((_, index): Phase => {
    if (first < 0 || index < first) return 'build, compare, content';
    return index <= last ? 'tags' : 'verify';
  });
}

/** Each phase's wall time: from the end of the one before to its last line. */
function phaseMs(phases: Phase[], times: number[], started: number): Map<Phase, number> {
  const ms = new Map<Phase, number>();
  let from = started;
  for (const [index, phase] of phases.entries()) {
    if (index < phases.length - 1 && phases[index + 1] === phase) continue;
    ms.set(phase, times[index]! - from);
    from = times[index]!;
  }
  return ms;
}

async function traced(
  run: ReleaseRun,
  profileDir: string | undefined,
  debug: boolean,
): Promise<Trace> {
  const record = join(dirname(run.file), 'record.json');
  const node =
    profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  const trace = debug ? ['--debug'] : [];
  const args = [...node, GANTRY_BIN, ...trace, 'release', '--record', record, run.file];
  const env = {
    ...process.env,
    ...run.env,
    XDG_CACHE_HOME: join(dirname(run.file), 'c'),
  };
  const child = spawn(process.execPath, args, {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const found: Trace = { counts: new Map(), ms: new Map(), total: 0 };
  const started = Date.now();
  const lines: string[] = [];
  const times: number[] = [];
  for await (const line of createInterface({ input: child.stderr })) {
    lines.push(line);
    times.push(Date.now());
  }
  const phases = phasesOf(lines);
  found.ms = phaseMs(phases, times, started);
  for (const [index, line] of lines.entries()) {
    const phase = phases[index]!;
    const match = /http > ([A-Z]+) (\S+)/.exec(line);
    if (match === null) continue;
    const counts = found.counts.get(phase) ?? new Map<string, number>();
    const kind = kindOf(match[1]!, match[2]!);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    found.counts.set(phase, counts);
  }
  const code = await new Promise((done) => child.on('close', done));
  const keep = process.env.GANTRY_PROFILE_TRACE;
  if (keep !== undefined) await writeFile(keep, `${lines.join('\n')}\n`);
  if (code !== 0) throw new Error(`gantry release exited with ${String(code)}`);
  found.total = Date.now() - started;
  return found;
}

function render(trace: Trace, record: ReleaseRecord): string {
  const lines = [`total ${trace.total} ms; record timings:`];
  lines.push(`  ${JSON.stringify(record.timings)}`);
  for (const destination of record.destinations) {
    lines.push(`  ${destination.name} ${JSON.stringify(destination.timings)}`);
  }
  for (const [phase, counts] of trace.counts) {
    const sum = [...counts.values()].reduce((a, b) => a + b, 0);
    lines.push(`${phase}: ${trace.ms.get(phase)} ms, ${sum} requests`);
    const sorted = [...counts].sort((a, b) => b[1] - a[1]);
    for (const [kind, count] of sorted) lines.push(`  ${count}\t${kind}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--variants');
  const variants = at < 0 ? undefined : Number(argv[at + 1]);
  const prof = argv.indexOf('--cpu-prof');
  const profileDir = prof < 0 ? undefined : argv[prof + 1];
  if (!argv.includes('--no-build')) buildDist();
  const output = await withReleaseBench(async (bench) => {
    const run = await bench.release('profile', variants);
    const trace = await traced(run, profileDir, !argv.includes('--no-debug'));
    const recordFile = join(dirname(run.file), 'record.json');
    const record = JSON.parse(await readFile(recordFile, 'utf8')) as ReleaseRecord;
    return render(trace, record);
  });
  process.stdout.write(`${output}\n`);
}

await main();
