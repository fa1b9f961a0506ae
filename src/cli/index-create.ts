import type { Command } from 'commander';
import {
  createIndexFrom,
  metadataReference,
  parseIndexAnnotations,
  readMetadataFile,
} from '../index-create/index.js';
import { openTarget } from '../store/open-target.js';
import { registriesOf } from './copy-names.js';
import { writeJson, writeLine, writeMessage } from './io.js';
import type { Runner } from './main.js';
import { collect, usageError } from './options.js';

/**
 * `gantry index create DST --from REF...`: one new OCI index over the
 * platform images of several sources (manifests, or indexes whose platform
 * entries are taken), each entry's descriptor kept exactly. Prints the new
 * index's digest.
 */

interface IndexCreateFlags {
  from?: string[];
  fromMetadata?: string[];
  annotation?: string[];
  tag?: string[];
}

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
    .action(async (to: string, flags: IndexCreateFlags, command: Command) => {
      const annotations = parseIndexAnnotations(flags.annotation ?? []);
      const sources = [...(flags.from ?? [])];
      for (const file of flags.fromMetadata ?? []) {
        sources.push(...(await readMetadataFile(file)).map(metadataReference));
      }
      if (sources.length === 0) {
        throw usageError(
          'nothing to assemble',
          'name sources with --from or --from-metadata',
        );
      }
      const registries = [
        ...new Set(sources.flatMap((source) => registriesOf(source, to))),
      ];

      await run(command, registries, async ({ client, io, json }) => {
        const opened = await openTarget(to, { client, create: true });
        const tags = [...destinationTag(to, opened.ref), ...(flags.tag ?? [])];
        const result = await createIndexFrom(sources, opened.target, {
          client,
          annotations,
          tags,
        });
        await opened.target.close?.();
        if (json) {
          writeJson(io, { ...result, digest: result.digest.toString(), tags });
          return;
        }
        writeLine(io, result.digest.toString());
        writeMessage(
          io,
          `index of ${result.manifests.length} platform images written to ${to}` +
            (tags.length === 0 ? ' (untagged)' : `, tagged ${tags.join(', ')}`),
        );
      });
    });
}

/** DST's own tag; none when it names only a repository or a digest. */
function destinationTag(text: string, ref: string | undefined): string[] {
  if (ref === undefined || ref.includes(':')) return [];
  const lastPart = text.slice(text.lastIndexOf('/') + 1);
  return lastPart.includes(':') ? [ref] : [];
}
