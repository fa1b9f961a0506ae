import type { Command } from 'commander';
import { lazyAction } from './lazy.js';
import type { Runner } from './main.js';

/**
 * `gantry delete REF`: deletes a manifest by digest, or a tag. Registries
 * that cannot delete a tag (distribution 2.8) get a delete of the digest the
 * tag resolves to, which removes every tag on that digest. Those tags are
 * found before the delete (afterwards they are gone) and named in the same
 * message that says the delete went by digest. `oci:DIR:TAG` removes that
 * one tag from a layout's index.json (delete-layout.ts).
 */
export function registerDelete(program: Command, run: Runner): void {
  program
    .command('delete')
    .description('delete a manifest by digest, or a tag')
    .argument('<ref>', 'image reference (tag or digest), or oci:DIR:TAG')
    .action(lazyAction(run, async () => (await import('./delete-run.js')).runDelete));
}
