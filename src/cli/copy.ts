import type { Command } from 'commander';
import type { Runner } from './main.js';
import { collect, usageError } from './options.js';

/**
 * `gantry copy SRC DST`: an image, an index with every platform and its
 * attestations and referrers, or (`--all-tags`) every tag of a repository,
 * between registries, OCI layouts and archives and docker-save archives.
 * Bytes are copied as they are, so the digest stays the source's, unless
 * `--platform` asks for a subset: then a new index is written and its new
 * digest reported (field cases BR-11, BR-13).
 */

export interface CopyFlags {
  platform?: string[];
  referrers: boolean;
  allTags?: boolean;
  concurrency?: number;
}

const EXAMPLES = `
Examples:
  gantry copy registry.example.com/app:1.4.2 mirror.example.com/app:1.4.2
  gantry copy --platform linux/arm64 registry.example.com/app:1.4.2 oci:./app:1.4.2
  gantry copy oci-archive:app.tar registry.example.com/app:1.4.2
  gantry copy --all-tags registry.example.com/app mirror.example.com/app
`;

export function registerCopy(program: Command, run: Runner): void {
  program
    .command('copy')
    .description('copy an image or index byte for byte between registries and files')
    .argument('<source>', 'host/repo:tag, host/repo@digest, oci:PATH[:tag], ...')
    .argument('<destination>', 'same forms; docker-archive:FILE as well')
    .option(
      '--platform <os/arch[/variant]>',
      'copy only this platform of an index (repeatable); writes a new index',
      collect,
    )
    .option('--no-referrers', 'leave out manifests that refer to the image')
    .option('--all-tags', 'SOURCE and DESTINATION are repositories: copy every tag')
    .option('--concurrency <n>', 'blob transfers at once (default 4)', parseConcurrency)
    .addHelpText('after', EXAMPLES)
    .action(async (from: string, to: string, flags: CopyFlags, command: Command) => {
      // Loaded here, so that other commands and --help load no copy or registry code.
      const { runCopy } = await import('./copy-run.js');
      await runCopy(run, command, { from, to }, flags);
    });
}

function parseConcurrency(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw usageError(
      `--concurrency must be a whole number of at least 1, got "${text}"`,
      'e.g. --concurrency 8',
    );
  }
  return value;
}
