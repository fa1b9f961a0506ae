import type { Command } from 'commander';
import type { Platform } from '../oci/platform.js';
import { parseWantedPlatform } from '../oci/platform.js';
import { fetchChildren, manifestInfo } from './inspect-fetch.js';
import {
  imagePlatform,
  type PlatformChoice,
  selectForPlatform,
} from './inspect-platform.js';
import { renderInspectTree } from './inspect-render.js';
import {
  fetchManifest,
  type Location,
  registriesIn,
  resolveLocation,
  withLocation,
} from './inspect-source.js';
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
    .action(async (text: string, options: InspectOptions, command: Command) => {
      if (options.raw && command.optsWithGlobals<GlobalOptions>().json) {
        throw usageError('--json and --raw cannot be used together', 'drop one of them');
      }
      const registries = registriesIn(text);
      const wanted =
        options.platform === undefined
          ? undefined
          : parseWantedPlatform(options.platform);

      await run(command, registries, ({ client, io, json }) =>
        withLocation(text, client, async (location) => {
          const chosen = await resolve(location, wanted);
          if (options.raw) io.stdout.write(chosen.manifest.bytes);
          else await show(io, chosen, json);
        }),
      );
    });
}

/** The manifest REF names or, with a platform, that platform's manifest. */
async function resolve(
  at: Location,
  wanted: Platform | undefined,
): Promise<PlatformChoice> {
  const descriptor = await resolveLocation(at);
  const manifest = await fetchManifest(at.target, descriptor, at.shown);
  if (wanted === undefined) return { manifest, at };
  return selectForPlatform(at, manifest, wanted);
}

/** The tree or JSON document; a warning on stderr names missing entries. */
async function show(
  io: CliIO,
  { manifest, at, platform }: PlatformChoice,
  json: boolean,
): Promise<void> {
  const children = await fetchChildren(at, manifest);
  const imagePlatformOf =
    manifest.kind === 'manifest'
      ? (platform ?? (await imagePlatform(at, manifest)))
      : undefined;
  const document = buildInspectDocument(
    manifestInfo(manifest, imagePlatformOf),
    children.manifests,
    at.shown,
    children.missing,
  );

  if (children.missing.size > 0) {
    writeMessage(
      io,
      `gantry: warning: ${at.shown} names ${children.missing.size} manifest(s) the ` +
        `repository does not have: ${[...children.missing].join(', ')}`,
    );
  }
  if (json) writeJson(io, document);
  else for (const line of renderInspectTree(document)) writeLine(io, line);
}
