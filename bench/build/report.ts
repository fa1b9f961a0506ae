import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { median } from '../copy/measure.js';
import type { TimedRow } from './scenarios.js';
import { BUILDAH_GZIP, buildahVersion, GANTRY_GZIP } from './tools.js';

/**
 * The benchmark's output: a markdown table of medians, ratios and targets,
 * ready to paste into the README, every run, and the machine it ran on.
 */

const GiB = 1024 ** 3;

export function timedTable(rows: TimedRow[]): string {
  const lines = [
    '| build and push | gantry median | buildah median | gantry/buildah ' +
      '| target | holds | gzip: gantry / buildah |',
    '|---|---:|---:|---:|---|:-:|---|',
  ];
  for (const row of rows) {
    const [g, b] = [median(row.gantry), median(row.buildah)];
    const ratio = g / b;
    const [target, holds] =
      row.maxRatio === undefined
        ? ['—', '']
        : [`ratio ≤ ${row.maxRatio}`, ratio <= row.maxRatio ? 'yes' : '**no**'];
    lines.push(
      `| ${row.scenario} | ${seconds(g)} | ${seconds(b)} ` +
        `| ${ratio.toFixed(2)} | ${target} | ${holds} ` +
        `| ${gantryGzip(row)} / ${BUILDAH_GZIP} |`,
    );
  }
  return lines.join('\n');
}

function gantryGzip(row: TimedRow): string {
  return row.gantryLevel === undefined ? GANTRY_GZIP : `zlib ${row.gantryLevel}`;
}

/** Every run, in the order it ran, for whoever doubts a median. */
export function runsTable(rows: TimedRow[]): string {
  const lines = ['| scenario | tool | runs (s) |', '|---|---|---|'];
  for (const row of rows) {
    for (const tool of ['gantry', 'buildah'] as const) {
      const runs = row[tool].map((ms) => (ms / 1000).toFixed(2)).join(', ');
      lines.push(`| ${row.scenario} | ${tool} | ${runs} |`);
    }
  }
  return lines.join('\n');
}

export function machine(): string {
  const cpu = /model name\s*:\s*(.+)/.exec(readText('/proc/cpuinfo'))?.[1] ?? 'unknown';
  const registry = firstLine('docker-registry', ['--version']);
  return [
    `- CPU: ${cpu}, ${availableParallelism()} threads (nproc); ` +
      `memory ${(totalmem() / GiB).toFixed(0)} GiB`,
    `- Node.js ${process.version}; ${buildahVersion()}`,
    `- registry: a local ${registry || 'docker-registry'} process, ` +
      'filesystem storage, plain HTTP on loopback',
  ].join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
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
