import type { Command } from 'commander';
import { lazyAction } from './lazy.js';
import type { Runner } from './main.js';

/**
 * `gantry tag REF TAG...`: new tags on what REF points at. The source
 * manifest is read once and its exact bytes are PUT under each tag, in the
 * order given, so the digest cannot change (DESIGN.md, "Bytes are the
 * truth"); no blob moves, since every blob is already in the repository.
 * `oci:DIR:SRC` adds the names to a layout's index.json (tag-layout.ts).
 */
export function registerTag(program: Command, run: Runner): void {
  program
    .command('tag')
    .description('add tags to the manifest or index a reference points at')
    .argument('<ref>', 'source image reference (tag or digest), or oci:DIR:TAG')
    .argument('<tags...>', 'new tags in the same repository, applied in this order')
    .action(lazyAction(run, async () => (await import('./tag-run.js')).runTag));
}
