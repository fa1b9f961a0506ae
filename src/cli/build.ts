import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { type BuildEvent, type BuildResult, buildImages } from '../build/build-image.js';
import { loadImageTree } from '../build/dockerfile-image-tree.js';
import { parseDockerfile } from '../build/dockerfile-parse.js';
import { planDockerfile } from '../build/dockerfile-plan.js';
import type { LayerCompression } from '../build/layer-options.js';
import { resolveEpoch } from '../build/layer-options.js';
import { ErrorCode, GantryError } from '../errors.js';
import { parseReference } from '../reference/index.js';
import { baseFactsReader } from './build-bases.js';
import { parseAnnotations, parsePairs, parsePlatforms } from './build-flags.js';
import {
  type DigestRecord,
  destinations,
  pushByDigest,
  writeBuild,
} from './build-output.js';
import { report, showEvent } from './build-report.js';
import type { CommandContext } from './context.js';
import { isRegistryReference } from './copy-names.js';
import { writeMessage } from './io.js';
import type { Runner } from './main.js';
import { collect, usageError } from './options.js';

/**
 * `gantry build [CONTEXT]`: builds the Dockerfile subset gantry supports
 * (build/dockerfile-*.ts) for one or more platforms, without a daemon,
 * and writes the image or index to `--output`, to the `--tag` references,
 * or by digest to `--push-by-digest` with a metadata file for assembling
 * platforms built on different machines.
 */

interface BuildFlags {
  file?: string;
  platform?: string[];
  buildArg?: string[];
  target?: string;
  tag?: string[];
  label?: string[];
  annotation?: string[];
  output?: string;
  pushByDigest?: string;
  metadataFile?: string;
  cache: boolean;
  cacheDir?: string;
  compression?: string;
}

const COMPRESSIONS: readonly LayerCompression[] = ['gzip', 'zstd', 'none'];

const EXAMPLES = `
Examples:
  gantry build --platform linux/amd64,linux/arm64 --tag registry.example.com/app:1.4.2 .
  gantry build -f docker/Dockerfile --output oci-archive:app.tar --tag 1.4.2 .
  gantry build --platform linux/arm64 --push-by-digest registry.example.com/app \\
    --metadata-file arm64.json .

Without --output or --tag the result goes to the OCI layout ./gantry-out (tag latest).
RUN is not supported: build such stages with BuildKit or buildah into an OCI
archive and start from it (FROM oci-archive:stage.tar).
`;

export function registerBuild(program: Command, run: Runner): void {
  program
    .command('build')
    .description('build an image from a Dockerfile without a daemon (no RUN)')
    .argument('[context]', 'build context folder', '.')
    .option('-f, --file <path>', 'the Dockerfile (default CONTEXT/Dockerfile)')
    .option('--platform <list>', 'os/arch[/variant], comma list, repeatable', collect)
    .option('--build-arg <key=value>', 'a build argument (repeatable)', collect)
    .option('--target <stage>', 'build this stage (default: the last)')
    .option(
      '--tag <ref>',
      'a full reference, or a tag with --output (repeatable)',
      collect,
    )
    .option('--label <key=value>', 'a config label on every image (repeatable)', collect)
    .option(
      '--annotation <[index:|manifest:]key=value>',
      'an annotation (repeatable)',
      collect,
    )
    .option(
      '--output <ref>',
      'host/repo[:tag], oci:DIR[:tag], oci-archive:FILE[:tag], docker-archive:FILE',
    )
    .option('--push-by-digest <repo>', 'push each platform image by digest, no tag')
    .option('--metadata-file <file>', 'with --push-by-digest: write the digests as JSON')
    .option('--no-cache', 'do not use or fill the layer cache')
    .option('--cache-dir <dir>', 'layer cache folder')
    .option('--compression <gzip|zstd|none>', 'layer compression (default gzip)')
    .addHelpText('after', EXAMPLES)
    .action(async (contextDir: string, flags: BuildFlags, command: Command) => {
      checkFlags(flags);
      const outputs =
        flags.pushByDigest === undefined
          ? destinations(flags.output, flags.tag ?? [])
          : [];
      const named = [
        ...outputs.map((o) => o.reference),
        ...(flags.pushByDigest === undefined ? [] : [flags.pushByDigest]),
      ];
      const registries = named
        .filter(isRegistryReference)
        .map((text) => parseReference(text).registry);
      await run(command, registries, (context) =>
        buildCommand(context, contextDir, flags, outputs),
      );
    });
}

function checkFlags(flags: BuildFlags): void {
  if (
    flags.compression !== undefined &&
    !COMPRESSIONS.includes(flags.compression as LayerCompression)
  ) {
    throw usageError(
      `--compression "${flags.compression}" is not one of gzip, zstd, none`,
    );
  }
  if (
    flags.pushByDigest !== undefined &&
    (flags.output !== undefined || flags.tag !== undefined)
  ) {
    throw usageError(
      '--push-by-digest writes no tag, so it takes no --output or --tag',
      'drop --output and --tag, or --push-by-digest',
    );
  }
  if (flags.metadataFile !== undefined && flags.pushByDigest === undefined) {
    throw usageError('--metadata-file needs --push-by-digest REPO');
  }
}

async function buildCommand(
  context: CommandContext,
  contextDir: string,
  flags: BuildFlags,
  outputs: ReturnType<typeof destinations>,
): Promise<void> {
  const root = resolve(contextDir);
  const path = flags.file === undefined ? join(root, 'Dockerfile') : resolve(flags.file);
  const name = relative(process.cwd(), path) || path;
  const text = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new GantryError(ErrorCode.BuildInput, `cannot read Dockerfile ${name}`, {
      hint: 'give the Dockerfile with -f FILE, or put one in the context folder',
      cause,
    });
  });

  // Files of images that COPY --from reads; removed once the build is written.
  const scratch = await mkdtemp(join(tmpdir(), 'gantry-build-'));
  try {
    await buildIn(context, { root, name, text, scratch }, flags, outputs);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function buildIn(
  context: CommandContext,
  source: { root: string; name: string; text: string; scratch: string },
  flags: BuildFlags,
  outputs: ReturnType<typeof destinations>,
): Promise<void> {
  const { io, client } = context;
  const { root, name, text, scratch } = source;
  const platforms = parsePlatforms(flags.platform);
  const annotations = parseAnnotations(flags.annotation, platforms.length > 1);
  const builds = await planDockerfile(parseDockerfile(text, name), {
    context: root,
    platforms,
    buildArgs: parsePairs(flags.buildArg, '--build-arg', io.env),
    ...(flags.target === undefined ? {} : { target: flags.target }),
    baseFacts: baseFactsReader(client),
    imageTree: (ref, platform) => loadImageTree(ref, platform, { client, scratch }),
    onUnusedArgs: (names) =>
      writeMessage(io, `gantry: warning: unused build arguments: ${names.join(', ')}`),
  });

  const result = await buildImages(builds, {
    client,
    epoch: resolveEpoch(undefined, io.env),
    compression: (flags.compression ?? 'gzip') as LayerCompression,
    cacheDir: flags.cache ? (flags.cacheDir ?? undefined) : false,
    labels: parsePairs(flags.label, '--label'),
    ...(Object.keys(annotations.manifest).length === 0
      ? {}
      : { annotations: annotations.manifest }),
    ...(Object.keys(annotations.index).length === 0
      ? {}
      : { indexAnnotations: annotations.index }),
    ...(context.json
      ? {}
      : { onEvent: (event: BuildEvent) => showEvent(context, event) }),
  });
  try {
    await publish(context, result, flags, outputs);
  } finally {
    await result.dispose();
  }
}

async function publish(
  context: CommandContext,
  result: BuildResult,
  flags: BuildFlags,
  outputs: ReturnType<typeof destinations>,
): Promise<void> {
  let records: DigestRecord[] | undefined;
  if (flags.pushByDigest !== undefined) {
    records = await pushByDigest(result, flags.pushByDigest, context.client);
    if (flags.metadataFile !== undefined) {
      await writeFile(flags.metadataFile, `${JSON.stringify(records, null, 2)}\n`);
    }
  }
  for (const output of outputs) await writeBuild(result, output, context.client);
  report(context, result, outputs, records);
}
