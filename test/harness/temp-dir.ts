import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installExitHooks, trackTempDir } from './lifecycle.js';

/**
 * A temp folder for a test file, removed however the process ends: by the
 * caller's `after` hook (`removeTempDir`) on a normal run, and by the
 * lifecycle hooks when the run is interrupted (SIGINT, SIGTERM) or exits
 * early, when `after` hooks never run.
 */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  trackTempDir(dir);
  installExitHooks({ signals: true });
  return dir;
}

export function removeTempDir(dir: string): void {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
}
