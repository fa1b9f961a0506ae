import type { Command } from 'commander';
import { lazyAction } from './lazy.js';
import type { Runner } from './main.js';

const OUTPUT_HELP = `
Output:
  a tree by default; with the global --json (gantry --json inspect REF, or
  gantry inspect --json REF) the same document as JSON; with --raw the
  exact bytes as stored. --json and --raw exclude each other.
  An index entry whose manifest the repository lacks is shown as missing.

References: host/repo:tag, host/repo@sha256:..., oci:PATH[:tag],
  oci-archive:FILE[:tag] (or @sha256:... instead of the tag) and
  docker-archive:FILE. A layout or archive named without a tag shows its
  only image.
`;

/**
 * `gantry inspect REF`: the index or manifest REF points at, in a registry,
 * an OCI layout or archive or a docker archive, as a tree, as JSON
 * (`--json`) or as its exact bytes (`--raw`). `--platform` first selects
 * that platform's manifest from an index.
 */
export function registerInspect(program: Command, run: Runner): void {
  program
    .command('inspect')
    .description('show an image: platforms, attestations, config and layers')
    .argument(
      '<ref>',
      'image reference, e.g. registry.example.com/app:1.0 or oci:DIR:1.0',
    )
    .option('--raw', 'write the exact manifest bytes to stdout, nothing else')
    .option('--platform <os/arch[/variant]>', 'show the manifest of one platform')
    .addHelpText('after', OUTPUT_HELP)
    .action(lazyAction(run, async () => (await import('./inspect-run.js')).runInspect));
}
