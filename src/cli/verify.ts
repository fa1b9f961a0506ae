import type { Command } from 'commander';
import { DEFAULT_RECORD_FILE } from '../release/record.js';
import { lazyAction } from './lazy.js';
import type { Runner } from './main.js';
import { collect } from './options.js';

/**
 * `gantry verify [RELEASE_FILE]`: reads a published release back from every
 * destination of its record and checks it against the record and, given
 * the release file, the plan. With policy flags, `gantry verify REF`
 * checks any image. Exit 0 when everything holds, 7 otherwise.
 */

const EXAMPLES = `
Examples:
  gantry verify --record gantry-release-record.json release.yaml
  gantry verify --record rehearsal.json --to oci:./rehearsal release.yaml
  gantry verify --oci-only --require-platform linux/arm64 registry.example.com/app:1.4.2
  gantry verify --policy policy.json registry.example.com/app:1.4.2

A release is planned from the record's inputs (version, git commit, SOURCE_DATE_EPOCH)
and checked at the destinations the record names; --to replaces them.
A policy file is JSON: {"requirePlatforms": [...], "requireAnnotations": {"k": "v"},
"ociOnly": true, "requireAttestations": true}.
Exit codes: 0 the release or image holds, 7 a check failed (each one is listed).
`;

export function registerVerify(program: Command, run: Runner): void {
  program
    .command('verify')
    .description('check that a published release or an image is exactly as planned')
    .argument('[target]', 'the release file, or with policy flags the image reference')
    .option('--record <file>', `the release record (default ${DEFAULT_RECORD_FILE})`)
    .option(
      '--to <dest>',
      "check here instead of the record's destinations (repeatable), as release --to",
      collect,
    )
    .option('--policy <file>', 'check an image against a JSON policy file')
    .option('--require-platform <os/arch>', 'the image has this platform', collect)
    .option('--require-annotation <k[=v]>', 'the image carries this annotation', collect)
    .option('--oci-only', 'no Docker v2 media type anywhere in the image')
    .option('--require-attestations', 'the index carries attestations')
    .option('--no-blobs', 'do not check that every config and layer exists')
    .addHelpText('after', EXAMPLES)
    .action(lazyAction(run, async () => (await import('./verify-run.js')).runVerify));
}
