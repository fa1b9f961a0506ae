import type { Runner } from './main.js';

/**
 * A command's action that loads the command's body only when it runs, so
 * that `gantry --help`, `--version` and every other command load none of
 * its modules (the registry client, the build, the release). Start-up is
 * paid by every invocation; this keeps it to commander and the flags.
 */
export type CommandBody<A extends unknown[]> = (run: Runner, ...args: A) => Promise<void>;

export function lazyAction<A extends unknown[]>(
  run: Runner,
  load: () => Promise<CommandBody<A>>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const body = await load();
    await body(run, ...args);
  };
}
