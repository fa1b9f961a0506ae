import type { Command } from 'commander';
import { lazyAction } from './lazy.js';
import type { Runner } from './main.js';

/**
 * `gantry rollback RECORD`: puts every tag a release moved back to the
 * digest it named before, removes the tags it created where the registry
 * allows it, and leaves the rest. The plan is shown first, always;
 * `--dry-run` stops there.
 */

const EXAMPLES = `
Examples:
  gantry rollback --dry-run gantry-release-record.json
  gantry rollback gantry-release-record.json

Moved tags go back first (last published first), then created tags are
removed by deleting their manifest by digest, only when no other tag names it.
`;

export function registerRollback(program: Command, run: Runner): void {
  program
    .command('rollback')
    .description('put every tag of a release back where it was, from its record')
    .argument('<record>', 'the JSON record gantry release wrote')
    .option('--dry-run', 'show the plan; change nothing')
    .addHelpText('after', EXAMPLES)
    .action(lazyAction(run, async () => (await import('./rollback-run.js')).runRollback));
}
