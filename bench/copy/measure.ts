import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * Runs one command of the benchmark as a child process and measures it:
 * wall time from spawn to exit, and optionally its peak resident set size.
 * A failed command stops the benchmark with its output: a figure for a
 * copy that did not happen would be a lie.
 */

/** GNU time reports the child's peak RSS from getrusage(2) `ru_maxrss`. */
const GNU_TIME = '/usr/bin/time';
/** Without GNU time, /proc/<pid>/status VmHWM is read this often. */
const HWM_POLL_MS = 20;

export interface Measured {
  ms: number;
  /** Peak resident set size in bytes, when asked for. */
  peakRss?: number;
  stdout: string;
}

export async function measure(
  command: string,
  args: string[],
  options: { rss?: boolean } = {},
): Promise<Measured> {
  if (options.rss === true && existsSync(GNU_TIME)) {
    const run = await timed(GNU_TIME, ['-v', command, ...args]);
    const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr);
    if (match === null) throw new Error(`no peak RSS in the output of ${GNU_TIME}`);
    return { ms: run.ms, peakRss: Number(match[1]) * 1024, stdout: run.stdout };
  }
  const run = await timed(command, args, options.rss === true);
  return {
    ms: run.ms,
    stdout: run.stdout,
    ...(run.hwm === undefined ? {} : { peakRss: run.hwm }),
  };
}

interface Timed {
  ms: number;
  stdout: string;
  stderr: string;
  hwm?: number;
}

function timed(command: string, args: string[], pollHwm = false): Promise<Timed> {
  const start = process.hrtime.bigint();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

  let hwm: number | undefined;
  const poll = pollHwm
    ? setInterval(() => {
        void readHwm(child.pid).then((value) => {
          if (value !== undefined) hwm = Math.max(hwm ?? 0, value);
        });
      }, HWM_POLL_MS)
    : undefined;

  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (poll !== undefined) clearInterval(poll);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      if (code !== 0) {
        reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${out}${err}`));
        return;
      }
      resolve({ ms, stdout: out, stderr: err, ...(hwm === undefined ? {} : { hwm }) });
    });
  });
}

async function readHwm(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match === null ? undefined : Number(match[1]) * 1024;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]!
    : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
