import type { Command } from 'commander';
import { lazyAction } from './lazy.js';
import type { Runner } from './main.js';

/**
 * `gantry digest REF`: the digest of what REF points at, one line, from a
 * registry, an OCI layout or archive or a docker archive. For a registry a
 * HEAD request (RegistryTarget.resolve); the library falls back to GET when
 * the registry does not send `Docker-Content-Digest`. Files are read from
 * their index.json or manifest.json; no layer is read.
 */
export function registerDigest(program: Command, run: Runner): void {
  program
    .command('digest')
    .description('print the digest of the manifest or index a reference points at')
    .argument('<ref>', 'image reference: host/repo:tag, oci:DIR:tag, docker-archive:F')
    .action(lazyAction(run, async () => (await import('./digest-run.js')).runDigest));
}
