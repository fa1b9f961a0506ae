import type { Command } from 'commander';
import { DEFAULT_RELEASE_FILE } from '../release/file-name.js';
import { DEFAULT_RECORD_FILE } from '../release/record.js';
import type { Runner } from './main.js';
import { collect } from './options.js';

/**
 * `gantry release [FILE]`: plans the whole release from the release file,
 * then builds every image, pushes each destination's content untagged and
 * writes the tags in publication order, with a record for rollback.
 * `--dry-run` shows the plan against what the destinations hold now and
 * touches nothing.
 */

export interface ReleaseFlags {
  version?: string;
  dryRun?: boolean;
  to?: string[];
  record?: string;
  fromDigests?: string[];
  /** False with --no-verify. */
  verify?: boolean;
  /** Move floating tags even where they hold a newer release. */
  allowDowngrade?: boolean;
}

const EXAMPLES = `
Examples:
  gantry release --dry-run
  gantry release --version 1.4.2 release.yaml
  gantry release --to oci:./rehearsal --record rehearsal.json

Without --dry-run the record goes to ./${DEFAULT_RECORD_FILE} (or --record FILE).
`;

export function registerRelease(program: Command, run: Runner): void {
  program
    .command('release')
    .description('build and publish every image, platform and tag of a release file')
    .argument('[file]', 'the release file', DEFAULT_RELEASE_FILE)
    .option('--version <version>', 'the release version (else the file, env or git tag)')
    .option('--dry-run', 'stage every image in memory and show the plan; write nothing')
    .option(
      '--to <dest>',
      'publish here instead (repeatable): host/repo or oci:DIR',
      collect,
    )
    .option(
      '--from-digests <files...>',
      'assemble the base image from gantry build --push-by-digest metadata files',
    )
    .option('--no-verify', 'do not read the release back and check it afterwards')
    .option(
      '--allow-downgrade',
      'move tags like latest even where they name a newer release (held otherwise)',
    )
    .option(
      '--record <file>',
      `where the JSON record goes (default ${DEFAULT_RECORD_FILE})`,
    )
    .addHelpText('after', EXAMPLES)
    .action(async (path: string, flags: ReleaseFlags, command: Command) => {
      // Loaded here, so that other commands and --help load no release code.
      const { runRelease } = await import('./release-run.js');
      await runRelease(run, command, path, flags);
    });
}
