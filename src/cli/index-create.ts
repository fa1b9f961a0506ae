import type { Command } from 'commander';
import { lazyAction } from './lazy.js';
import type { Runner } from './main.js';
import { collect } from './options.js';

/**
 * `gantry index create DST --from REF...`: one new OCI index over the
 * platform images of several sources (manifests, or indexes whose platform
 * entries are taken), each entry's descriptor kept exactly. Prints the new
 * index's digest.
 */

const EXAMPLES = `
Examples:
  gantry index create registry.example.com/app:1.4.2 \\
    --from registry.example.com/app@sha256:... --from registry.example.com/app@sha256:...
  gantry index create registry.example.com/app:1.4.2 \\
    --from-metadata amd64.json --from-metadata arm64.json --tag 1.4 --tag latest \\
    --annotation org.opencontainers.image.version=1.4.2

Annotations: key=value or index:key=value on the index,
manifest-descriptor:key=value on every entry. The output is always an OCI index.
`;

export function registerIndexCreate(program: Command, run: Runner): void {
  const index = program.command('index').description('work with image indexes');
  index
    .command('create')
    .description('assemble platform images into one new OCI index')
    .argument('<destination>', 'host/repo[:tag] or oci:DIR[:tag]')
    .option(
      '--from <ref>',
      'an image or index to take platforms from (repeatable)',
      collect,
    )
    .option(
      '--from-metadata <file>',
      'a gantry build --push-by-digest --metadata-file output (repeatable)',
      collect,
    )
    .option(
      '--annotation <[level:]key=value>',
      'annotate the index (repeatable)',
      collect,
    )
    .option('--tag <tag>', 'also point this tag at the index (repeatable)', collect)
    .addHelpText('after', EXAMPLES)
    .exitOverride()
    .action(
      lazyAction(run, async () => (await import('./index-create-run.js')).runIndexCreate),
    );
}
