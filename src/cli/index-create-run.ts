import { statSync } from 'node:fs';
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
import { usageError } from './options.js';

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

/** The body of `gantry index create` (see index-create.ts), loaded when it runs. */
export async function runIndexCreate(
  run: Runner,
  to: string,
  flags: IndexCreateFlags,
  command: Command,
): Promise<void> {
  const annotations = parseIndexAnnotations(flags.annotation ?? []);
  const sources = [...(flags.from ?? [])];
  sources.forEach(refuseMetadataFile);
  for (const file of flags.fromMetadata ?? []) {
    sources.push(...(await readMetadataFile(file)).map(metadataReference));
  }
  if (sources.length === 0) {
    throw usageError(
      'nothing to assemble',
      'name sources with --from or --from-metadata',
    );
  }
  const registries = [...new Set(sources.flatMap((source) => registriesOf(source, to)))];

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
}

/**
 * `--from amd64.json` would be read as the Docker Hub image
 * `library/amd64.json`; a metadata file written by `build --push-by-digest`
 * goes to `--from-metadata`.
 */
function refuseMetadataFile(source: string): void {
  if (
    !source.endsWith('.json') ||
    statSync(source, { throwIfNoEntry: false })?.isFile() !== true
  ) {
    return;
  }
  throw usageError(
    `--from "${source}" is a local file, not an image reference`,
    `to assemble from a build's metadata file, write --from-metadata ${source}`,
  );
}

/** DST's own tag; none when it names only a repository or a digest. */
function destinationTag(text: string, ref: string | undefined): string[] {
  if (ref === undefined || ref.includes(':')) return [];
  const lastPart = text.slice(text.lastIndexOf('/') + 1);
  return lastPart.includes(':') ? [ref] : [];
}
