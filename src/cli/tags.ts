import type { Command } from 'commander';
import { lazyAction } from './lazy.js';
import type { Runner } from './main.js';

/**
 * `gantry tags REPO`: one tag per line, in the order the target lists them
 * (the distribution-spec asks for lexical order, but registries differ and
 * distribution 2.8 does not sort: gantry does not reorder, pipe to `sort`).
 * REPO is a registry repository, `oci:DIR`, `oci-archive:FILE` (the names
 * in index.json, in its order) or `docker-archive:FILE` (its RepoTags).
 * `--json` writes one array.
 */
export function registerTags(program: Command, run: Runner): void {
  program
    .command('tags')
    .description('list the tags of a repository, layout or archive, in its own order')
    .argument('<repo>', 'repository, e.g. registry.example.com/app, or oci:DIR')
    .action(lazyAction(run, async () => (await import('./tags-run.js')).runTags));
}
