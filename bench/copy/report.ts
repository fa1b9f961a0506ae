import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { median } from './measure.js';

/**
 * The benchmark's output: a markdown table of medians, ratios and targets,
 * ready to paste into the README, and the machine it ran on.
 */

export interface TimedRow {
  scenario: string;
  gantry: number[];
  skopeo: number[];
  /** Ratio gantry/skopeo the median must stay at or under, if any. */
  maxRatio?: number;
  /** Milliseconds the gantry median must stay under, if any. */
  maxMs?: number;
}

export interface MemoryRow {
  scenario: string;
  gantry: number;
  skopeo: number;
  /** Bytes gantry's peak RSS must stay under, if any. */
  maxBytes?: number;
}

const MiB = 1024 * 1024;

export function timedTable(rows: TimedRow[]): string {
  const lines = [
    '| scenario | gantry median | skopeo median | gantry/skopeo | target | holds |',
    '|---|---:|---:|---:|---|:-:|',
  ];
  for (const row of rows) {
    const g = median(row.gantry);
    const s = median(row.skopeo);
    const ratio = g / s;
    const [target, holds] =
      row.maxRatio !== undefined
        ? [`ratio ≤ ${row.maxRatio}`, ratio <= row.maxRatio]
        : row.maxMs !== undefined
          ? [`gantry < ${seconds(row.maxMs)}`, g < row.maxMs]
          : ['—', undefined];
    const mark = holds === undefined ? '' : holds ? 'yes' : '**no**';
    lines.push(
      `| ${row.scenario} | ${seconds(g)} | ${seconds(s)} | ${ratio.toFixed(2)} ` +
        `| ${target} | ${mark} |`,
    );
  }
  return lines.join('\n');
}

export function memoryTable(rows: MemoryRow[]): string {
  const lines = [
    '| scenario | gantry peak RSS (median of 3) | skopeo peak RSS | target | holds |',
    '|---|---:|---:|---|:-:|',
  ];
  for (const row of rows) {
    const [target, holds] =
      row.maxBytes === undefined
        ? ['—', '']
        : [
            `gantry < ${row.maxBytes / 1e6} MB`,
            row.gantry < row.maxBytes ? 'yes' : '**no**',
          ];
    const sizes = `${mib(row.gantry)} | ${mib(row.skopeo)}`;
    lines.push(`| ${row.scenario} | ${sizes} | ${target} | ${holds} |`);
  }
  return lines.join('\n');
}

/** Every run, in the order it ran, for whoever doubts a median. */
export function runsTable(rows: TimedRow[]): string {
  const lines = ['| scenario | tool | runs (s) |', '|---|---|---|'];
  for (const row of rows) {
    for (const tool of ['gantry', 'skopeo'] as const) {
      const runs = row[tool].map((ms) => (ms / 1000).toFixed(2)).join(', ');
      lines.push(`| ${row.scenario} | ${tool} | ${runs} |`);
    }
  }
  return lines.join('\n');
}

export function machine(): string {
  const cpu = /model name\s*:\s*(.+)/.exec(readText('/proc/cpuinfo'))?.[1] ?? 'unknown';
  const skopeo = firstLine('skopeo', ['--version']);
  const registry = firstLine('docker-registry', ['--version']);
  return [
    `- CPU: ${cpu}, ${availableParallelism()} threads (nproc); ` +
      `memory ${(totalmem() / 1024 / MiB).toFixed(0)} GiB`,
    `- Node.js ${process.version}; ${skopeo}`,
    `- registries: two local ${registry || 'docker-registry'} processes, ` +
      'filesystem storage, plain HTTP on loopback',
    // Other work on the machine slows both tools; figures from a busy one mislead.
    `- load average at the end (1, 5, 15 min): ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  ].join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(0)} MiB`;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function firstLine(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0]!.trim();
  } catch {
    return '';
  }
}
