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

/** The body of `gantry inspect` (see inspect.ts), loaded when it runs. */
export async function runInspect(
  run: Runner,
  text: string,
  options: InspectOptions,
  command: Command,
): Promise<void> {
  if (options.raw && command.optsWithGlobals<GlobalOptions>().json) {
    throw usageError('--json and --raw cannot be used together', 'drop one of them');
  }
  const registries = registriesIn(text);
  const wanted =
    options.platform === undefined ? undefined : parseWantedPlatform(options.platform);

  await run(command, registries, ({ client, io, json }) =>
    withLocation(text, client, async (location) => {
      const chosen = await resolve(location, wanted);
      if (options.raw) io.stdout.write(chosen.manifest.bytes);
      else await show(io, chosen, json);
    }),
  );
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
