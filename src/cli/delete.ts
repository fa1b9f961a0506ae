import type { Command } from 'commander';
import { parseReference } from '../reference/index.js';
import { writeJson, writeLine, writeMessage } from './io.js';
import type { Runner } from './main.js';

/**
 * `gantry delete REF`: deletes a manifest by digest, or a tag. Registries
 * that cannot delete a tag (distribution 2.8) get a delete of the digest the
 * tag resolves to, which removes every tag on that digest: the output says
 * so, because that is more than was asked for.
 */
export function registerDelete(program: Command, run: Runner): void {
  program
    .command('delete')
    .description('delete a manifest by digest, or a tag')
    .argument('<ref>', 'image reference (tag or digest)')
    .action(async (text: string, _options: unknown, command: Command) => {
      const ref = parseReference(text);

      await run(command, [ref.registry], async ({ client, io, json }) => {
        const { digest, deletedByTag } = await client.deleteManifest(ref);
        const byDigest =
          ref.tag !== undefined && ref.digest === undefined && !deletedByTag;
        if (json) {
          writeJson(io, {
            reference: ref.toString(),
            digest: digest.toString(),
            deletedByTag,
            allTagsRemoved: !deletedByTag,
          });
          return;
        }

        writeLine(io, `deleted ${ref.repository}@${digest}`);
        if (byDigest) {
          writeMessage(
            io,
            `gantry: the registry cannot delete a tag alone, so ${ref.tag} was ` +
              `deleted by digest ${digest}: every tag pointing at that digest is gone`,
          );
        }
      });
    });
}
