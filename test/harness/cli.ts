import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { captureText } from './capture.js';

export { captureText };

/**
 * Runs the built CLI (`bin/gantry.cjs`, which runs `dist/cli-bundle/`; scripts/test.ts
 * builds it first) as a child process and captures its output for the
 * secret scan.
 */

export const GANTRY_BIN = fileURLToPath(new URL('../../bin/gantry.cjs', import.meta.url));

export interface GantryRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to (and overriding) this process's environment. */
  env?: Record<string, string>;
  /** Written to stdin, which is then closed; without it stdin is empty. */
  input?: string;
  cwd?: string;
}

let runCount = 0;

/** The subcommand, if it is a plain word, to label the capture (never args). */
function labelFor(args: string[]): string {
  const command = args[0] !== undefined && /^[a-z][a-z-]*$/.test(args[0]) ? args[0] : '';
  return `gantry ${command} (run ${++runCount})`.replace('  ', ' ');
}

export function runGantry(args: string[], options: RunOptions = {}): Promise<GantryRun> {
  const child = spawn(process.execPath, [GANTRY_BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.on('error', () => {
    // The CLI may exit without reading stdin; EPIPE is not a test failure.
  });
  child.stdin.end(options.input ?? '');

  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const result = {
        // A signal death is reported the way a shell does: 128 + its number.
        code: code ?? 128 + (signal === null ? 0 : constants.signals[signal]),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      };
      const label = labelFor(args);
      captureText(`${label} exit ${result.code} stdout`, result.stdout);
      captureText(`${label} stderr`, result.stderr);
      resolve(result);
    });
  });
}

/** An error as `--json` reports it: one JSON line on stderr, after any progress lines. */
export interface JsonError {
  code: string;
  message: string;
  hint?: string;
  side?: string;
  details?: Record<string, unknown>;
}

/** The `--json` error of a run; fails the test when stderr holds none. */
export function jsonErrorOf(stderr: string): JsonError {
  const line = stderr.split('\n').find((text) => text.startsWith('{"error"'));
  if (line === undefined) throw new Error(`no --json error on stderr:\n${stderr}`);
  return (JSON.parse(line) as { error: JsonError }).error;
}
