import type { Command } from 'commander';
import { lazyAction } from './lazy.js';
import type { Runner } from './main.js';

/**
 * `gantry diff A B`: what differs between two images in any reference
 * form. Like diff(1), the exit code says whether they differ: 0 when the
 * digests are equal, 1 when they are not (the difference is the output,
 * not an error).
 */

const EXAMPLES = `
Examples:
  gantry diff registry.example.com/app:1.4.1 registry.example.com/app:1.4.2
  gantry --json diff oci:./layout:1.4.2 registry.example.com/app:1.4.2

Exit codes: 0 the same image, 1 the images differ, others as for every command.
`;

export function registerDiff(program: Command, run: Runner): void {
  program
    .command('diff')
    .description('show what differs between two images (platforms, config, layers)')
    .argument('<a>', 'host/repo:tag, host/repo@digest, oci:PATH[:tag], ...')
    .argument('<b>', 'the same forms')
    .addHelpText('after', EXAMPLES)
    .action(lazyAction(run, async () => (await import('./diff-run.js')).runDiff));
}
