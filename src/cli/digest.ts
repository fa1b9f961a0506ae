import type { Command } from 'commander';
import { ErrorCode, GantryError } from '../errors.js';
import { parseReference } from '../reference/index.js';
import { writeJson, writeLine } from './io.js';
import type { Runner } from './main.js';

/**
 * `gantry digest REF`: the digest of what REF points at, one line. A HEAD
 * request; the library falls back to GET when the registry does not send
 * `Docker-Content-Digest`.
 */
export function registerDigest(program: Command, run: Runner): void {
  program
    .command('digest')
    .description('print the digest of the manifest or index a reference points at')
    .argument('<ref>', 'image reference')
    .action(async (text: string, _options: unknown, command: Command) => {
      const ref = parseReference(text);

      await run(command, [ref.registry], async ({ client, io, json }) => {
        const descriptor = await client.headManifest(ref);
        if (descriptor === undefined) {
          throw new GantryError(ErrorCode.NotFound, `manifest ${ref} not found`, {
            hint: 'check the repository name and the tag or digest (gantry tags REPO)',
          });
        }
        if (json)
          writeJson(io, { reference: ref.toString(), ...descriptorJson(descriptor) });
        else writeLine(io, descriptor.digest.toString());
      });
    });
}

function descriptorJson(d: {
  digest: { toString(): string };
  mediaType: string;
  size: number;
}) {
  return { digest: d.digest.toString(), mediaType: d.mediaType, size: d.size };
}
