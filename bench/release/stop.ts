import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isGantryError } from '../../src/errors.js';
import type { RegistryClient } from '../../src/registry/client.js';
import { executeRelease } from '../../src/release/execute.js';
import { readReleaseFile } from '../../src/release/file.js';
import { gatherPlanInputs } from '../../src/release/inputs.js';
import { planRelease } from '../../src/release/plan.js';

/**
 * The two ways an interruption trial stops a release: in process, by an
 * AbortSignal after a chosen number of release events (the library's own
 * stop), or from outside, by SIGKILL of the `gantry release` child after a
 * chosen delay (a crash: no clean-up runs at all).
 */

export const GANTRY_BIN = fileURLToPath(new URL('../../bin/gantry.cjs', import.meta.url));

export interface ReleaseRun {
  /** The release file (its destinations are the trial's own repositories). */
  file: string;
  env: Record<string, string>;
}

/** The release in process, aborted after `stopAfter` events; how many it saw. */
export async function releaseInProcess(
  client: RegistryClient,
  run: ReleaseRun,
  stopAfter?: number,
): Promise<{ events: number; stopped: boolean }> {
  const file = await readReleaseFile(run.file);
  const inputs = await gatherPlanInputs(file, { cwd: dirname(run.file), env: run.env });
  const controller = new AbortController();
  let events = 0;
  try {
    await executeRelease(planRelease(file, inputs), {
      client,
      baseDir: dirname(run.file),
      // The CLI's cache folder under XDG_CACHE_HOME, so both ways share one cache.
      cacheDir: `${run.env.XDG_CACHE_HOME}/gantry/layers`,
      signal: controller.signal,
      onEvent: () => {
        events += 1;
        if (events === stopAfter) controller.abort();
      },
    });
    return { events, stopped: false };
  } catch (error) {
    if (!isGantryError(error, 'GANTRY_E_ABORTED')) throw error;
    return { events, stopped: true };
  }
}

/**
 * `gantry [--json] release --record RECORD FILE` as a child, killed with
 * SIGKILL after `killAfterMs` when given; a failure other than the kill throws.
 */
export function releaseChild(
  run: ReleaseRun,
  record: string,
  killAfterMs?: number,
): Promise<{ ms: number; killed: boolean; stdout: string; stderr: string }> {
  const start = performance.now();
  const child = spawn(
    process.execPath,
    [GANTRY_BIN, '--json', 'release', '--record', record, run.file],
    {
      env: { ...process.env, ...run.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const timer =
    killAfterMs === undefined
      ? undefined
      : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        ms: performance.now() - start,
        killed: signal === 'SIGKILL',
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      };
      if (code === 0 || result.killed) resolve(result);
      else reject(new Error(`gantry release exited ${code}:\n${result.stderr}`));
    });
  });
}
