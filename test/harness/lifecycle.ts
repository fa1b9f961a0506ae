import { rmSync } from 'node:fs';

/**
 * Everything the harness started in this process, and the hooks that stop it
 * when the process ends, so that no registry outlives its test run.
 *
 * - `beforeExit` (the event loop ran dry, as at the end of a node:test file):
 *   stop everything and wait for it, which reaps the children.
 * - SIGINT / SIGTERM: the same, then exit with 128 + the signal number. Only
 *   installed when asked for: scripts/test.ts handles signals itself.
 * - `exit` (process.exit was called; nothing async can run): SIGKILL what is
 *   left and remove the temp dirs, so at least nothing keeps running.
 */

export interface Stoppable {
  stop(): Promise<void>;
  /** Synchronous last resort for the `exit` hook. */
  kill(): void;
}

const running = new Set<Stoppable>();
const tempDirs = new Set<string>();
let hooksInstalled = false;
let signalHooksInstalled = false;

export function track(item: Stoppable): void {
  running.add(item);
}

export function untrack(item: Stoppable): void {
  running.delete(item);
}

/** A directory removed when the process exits. */
export function trackTempDir(dir: string): void {
  tempDirs.add(dir);
}

/** Stops everything started in this process and waits until it has exited. */
export async function stopAll(): Promise<void> {
  const items = [...running];
  running.clear();
  await Promise.allSettled(items.map((item) => item.stop()));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

export function installExitHooks(options: { signals: boolean }): void {
  if (!hooksInstalled) {
    hooksInstalled = true;
    process.on('beforeExit', () => {
      if (running.size > 0 || tempDirs.size > 0) void stopAll();
    });
    process.on('exit', () => {
      for (const item of running) item.kill();
      for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    });
  }
  if (options.signals && !signalHooksInstalled) {
    signalHooksInstalled = true;
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      process.once(signal, () => {
        void stopAll().finally(() => process.exit(code));
      });
    }
  }
}
