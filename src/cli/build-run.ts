import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { type BuildEvent, type BuildResult, buildImages } from '../build/build-image.js';
import { loadImageTree } from '../build/dockerfile-image-tree.js';
import { parseDockerfile } from '../build/dockerfile-parse.js';
import { planDockerfile } from '../build/dockerfile-plan.js';
import { type LayerCompression, resolveEpoch } from '../build/layer-options.js';
import { ErrorCode, GantryError } from '../errors.js';
import { parseReference, type Reference } from '../reference/index.js';
import type { BuildFlags } from './build.js';
import { baseFactsReader } from './build-bases.js';
import { parseAnnotations, parsePairs, parsePlatforms } from './build-flags.js';
import { prepareMetadataFile, writeMetadataFile } from './build-metadata.js';
import {
  type Destination,
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
import { usageError } from './options.js';

/**
 * The body of `gantry build` (see build.ts), loaded only when the command
 * runs: checks the flags, plans the Dockerfile, builds every platform and
 * writes the result where the flags say.
 */

const COMPRESSIONS: readonly LayerCompression[] = ['gzip', 'zstd', 'none'];

export async function runBuild(
  run: Runner,
  command: Command,
  contextDir: string,
  flags: BuildFlags,
): Promise<void> {
  checkFlags(flags);
  const outputs =
    flags.pushByDigest === undefined ? destinations(flags.output, flags.tag ?? []) : [];
  const named = [
    ...outputs.map((o) => o.reference),
    ...(flags.pushByDigest === undefined ? [] : [flags.pushByDigest]),
  ];
  const repositories = named
    .filter(isRegistryReference)
    .map((text) => parseReference(text));
  const registries = repositories.map((ref) => ref.registry);
  await run(command, registries, (context) =>
    buildCommand(context, contextDir, flags, { outputs, first: repositories[0] }),
  );
}

/** Where the build goes: every output, and the first registry repository named. */
interface Targets {
  outputs: Destination[];
  first: Reference | undefined;
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
  if (flags.compression === 'none' && flags.compressionLevel !== undefined) {
    throw usageError(
      '--compression-level has no effect with --compression none',
      'drop --compression-level, or choose --compression gzip or zstd',
    );
  }
}

/** `--compression-level`: a whole number; its range is checked by the compressor. */
function levelOf(flags: BuildFlags): { level?: number } {
  const text = flags.compressionLevel;
  if (text === undefined) return {};
  if (!/^[0-9]{1,2}$/.test(text)) {
    throw usageError(
      `--compression-level "${text}" is not a whole number from 0 to 19`,
      'gzip takes 0 (none) to 9 (smallest), zstd 1 to 19; e.g. --compression-level 1',
    );
  }
  return { level: Number(text) };
}

async function buildCommand(
  context: CommandContext,
  contextDir: string,
  flags: BuildFlags,
  targets: Targets,
): Promise<void> {
  const root = resolve(contextDir);
  const folder = await stat(root).catch(() => undefined);
  if (folder?.isDirectory() !== true) {
    throw new GantryError(
      ErrorCode.BuildInput,
      folder === undefined
        ? `the build context ${contextDir} does not exist`
        : `the build context ${contextDir} is not a folder`,
      { hint: 'give the folder COPY and ADD read from, e.g. gantry build .' },
    );
  }
  const path = flags.file === undefined ? join(root, 'Dockerfile') : resolve(flags.file);
  const name = relative(process.cwd(), path) || path;
  const text = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new GantryError(ErrorCode.BuildInput, `cannot read Dockerfile ${name}`, {
      hint: 'give the Dockerfile with -f FILE, or put one in the context folder',
      cause,
    });
  });

  if (flags.metadataFile !== undefined) await prepareMetadataFile(flags.metadataFile);

  // Files of images that COPY --from reads; removed once the build is written.
  const scratch = await mkdtemp(join(tmpdir(), 'gantry-build-'));
  try {
    await buildIn(context, { root, path, name, text, scratch }, flags, targets);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function buildIn(
  context: CommandContext,
  source: { root: string; path: string; name: string; text: string; scratch: string },
  flags: BuildFlags,
  targets: Targets,
): Promise<void> {
  const { io, client } = context;
  const { root, name, text, scratch } = source;
  const platforms = parsePlatforms(flags.platform);
  const annotations = parseAnnotations(flags.annotation, platforms.length > 1);
  const builds = await planDockerfile(parseDockerfile(text, name), {
    context: root,
    ignoreFile: `${source.path}.dockerignore`,
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
    ...levelOf(flags),
    cacheDir: flags.cache ? (flags.cacheDir ?? undefined) : false,
    labels: parsePairs(flags.label, '--label'),
    ...(targets.first === undefined ? {} : { uploadLayersTo: targets.first }),
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
    await publish(context, result, flags, targets.outputs);
  } finally {
    await result.dispose();
  }
}

async function publish(
  context: CommandContext,
  result: BuildResult,
  flags: BuildFlags,
  outputs: Destination[],
): Promise<void> {
  let records: DigestRecord[] | undefined;
  if (flags.pushByDigest !== undefined) {
    records = await pushByDigest(result, flags.pushByDigest, context.client);
    if (flags.metadataFile !== undefined) {
      await writeMetadataFile(flags.metadataFile, records);
    }
  }
  for (const output of outputs) await writeBuild(result, output, context.client);
  report(context, result, outputs, records);
}
