import type { Command } from 'commander';
import type { Platform } from '../oci/platform.js';
import { parseWantedPlatform } from '../oci/platform.js';
import { parseReference } from '../reference/index.js';
import type { Reference } from '../reference/reference.js';
import type { RegistryClient } from '../registry/client.js';
import { fetchChildren, manifestInfo } from './inspect-fetch.js';
import {
  imagePlatform,
  type PlatformChoice,
  selectForPlatform,
} from './inspect-platform.js';
import { renderInspectTree } from './inspect-render.js';
import { buildInspectDocument } from './inspect-view.js';
import { type CliIO, writeJson, writeLine, writeMessage } from './io.js';
import type { Runner } from './main.js';
import { type GlobalOptions, usageError } from './options.js';

interface InspectOptions {
  raw?: boolean;
  platform?: string;
}

const OUTPUT_HELP = `
Output:
  a tree by default; with the global --json (gantry --json inspect REF, or
  gantry inspect --json REF) the same document as JSON; with --raw the
  registry's exact bytes. --json and --raw exclude each other.
  An index entry whose manifest the repository lacks is shown as missing.
`;

/**
 * `gantry inspect REF`: the index or manifest REF points at, as a tree, as
 * JSON (`--json`) or as the registry's exact bytes (`--raw`). `--platform`
 * first selects that platform's manifest from an index.
 */
export function registerInspect(program: Command, run: Runner): void {
  program
    .command('inspect')
    .description('show an image: platforms, attestations, config and layers')
    .argument('<ref>', 'image reference, e.g. registry.example.com/app:1.0')
    .option('--raw', 'write the exact manifest bytes to stdout, nothing else')
    .option('--platform <os/arch[/variant]>', 'show the manifest of one platform')
    .addHelpText('after', OUTPUT_HELP)
    .action(async (text: string, options: InspectOptions, command: Command) => {
      if (options.raw && command.optsWithGlobals<GlobalOptions>().json) {
        throw usageError('--json and --raw cannot be used together', 'drop one of them');
      }
      const ref = parseReference(text);
      const wanted =
        options.platform === undefined
          ? undefined
          : parseWantedPlatform(options.platform);

      await run(command, [ref.registry], async ({ client, io, json }) => {
        const chosen = await resolve(client, ref, wanted);
        if (options.raw) io.stdout.write(chosen.manifest.bytes);
        else await show(client, io, chosen, json);
      });
    });
}

/** The manifest REF names or, with a platform, that platform's manifest. */
async function resolve(
  client: RegistryClient,
  ref: Reference,
  wanted: Platform | undefined,
): Promise<PlatformChoice> {
  const manifest = await client.getManifest(ref);
  if (wanted === undefined) return { manifest, at: ref };
  return selectForPlatform(client, ref, manifest, wanted);
}

/** The tree or JSON document; a warning on stderr names missing entries. */
async function show(
  client: RegistryClient,
  io: CliIO,
  { manifest, at, platform }: PlatformChoice,
  json: boolean,
): Promise<void> {
  const children = await fetchChildren(client, at, manifest);
  const imagePlatformOf =
    manifest.kind === 'manifest'
      ? (platform ?? (await imagePlatform(client, at, manifest)))
      : undefined;
  const document = buildInspectDocument(
    manifestInfo(manifest, imagePlatformOf),
    children.manifests,
    at.toString(),
    children.missing,
  );

  if (children.missing.size > 0) {
    writeMessage(
      io,
      `gantry: warning: ${at} names ${children.missing.size} manifest(s) the ` +
        `repository does not have: ${[...children.missing].join(', ')}`,
    );
  }
  if (json) writeJson(io, document);
  else for (const line of renderInspectTree(document)) writeLine(io, line);
}
