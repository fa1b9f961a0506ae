import type { Command } from 'commander';
import type { ImageIndex, ImageManifest } from '../oci/manifest.js';
import { type Platform, parsePlatform } from '../oci/platform.js';
import { parseReference } from '../reference/index.js';
import type { Reference } from '../reference/reference.js';
import type { RegistryClient } from '../registry/client.js';
import { fetchChildren, manifestInfo } from './inspect-fetch.js';
import { selectForPlatform } from './inspect-platform.js';
import { renderInspectTree } from './inspect-render.js';
import { buildInspectDocument } from './inspect-view.js';
import { writeJson, writeLine } from './io.js';
import type { Runner } from './main.js';

interface InspectOptions {
  raw?: boolean;
  platform?: string;
}

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
    .action(async (text: string, options: InspectOptions, command: Command) => {
      const ref = parseReference(text);
      const wanted =
        options.platform === undefined ? undefined : parsePlatform(options.platform);

      await run(command, [ref.registry], async ({ client, io, json }) => {
        const { manifest, at } = await resolve(client, ref, wanted);
        if (options.raw) {
          io.stdout.write(manifest.bytes);
          return;
        }
        const children = await fetchChildren(client, at, manifest);
        const document = buildInspectDocument(
          manifestInfo(manifest),
          children,
          at.toString(),
        );
        if (json) writeJson(io, document);
        else for (const line of renderInspectTree(document)) writeLine(io, line);
      });
    });
}

/** The manifest REF names or, with a platform, that platform's manifest. */
async function resolve(
  client: RegistryClient,
  ref: Reference,
  wanted: Platform | undefined,
): Promise<{ manifest: ImageManifest | ImageIndex; at: Reference }> {
  const manifest = await client.getManifest(ref);
  if (wanted === undefined) return { manifest, at: ref };
  return selectForPlatform(client, ref, manifest, wanted);
}
