import { isAbsolute, posix, resolve } from 'node:path';
import { SCRATCH } from '../build/base.js';
import type { BuildOptions, BuildStep, PlatformBuild } from '../build/build-image.js';
import type { ConfigChanges } from '../build/config.js';
import type { PathInput } from '../build/entries.js';
import { ErrorCode, GantryError } from '../errors.js';
import { parsePlatform } from '../oci/platform.js';
import type { ConfigSpec } from './file-types.js';
import { BASE_IMAGE_NAME } from './images.js';
import type { PlannedImage, ReleasePlan } from './plan-types.js';

/**
 * Plan → builds: each planned image as one `PlatformBuild` per platform.
 * The base image is `scratch` plus the release's per-platform files; a
 * variant starts from its base reference and gets the same per-platform
 * files the base image got (narrowed by `copy`), so no layer of the base
 * image is ever read back.
 */

/** One image's builds and the metadata `buildImages` writes into it. */
export interface ImageBuilds {
  image: string;
  builds: PlatformBuild[];
  /** Labels, manifest and index annotations, always an index. */
  options: Pick<
    BuildOptions,
    'labels' | 'annotations' | 'indexAnnotations' | 'descriptorAnnotations' | 'index'
  >;
}

/** History text of the release's steps, as `docker history` shows them. */
const CREATED_BY_FILES = 'gantry release: files';
const CREATED_BY_CONFIG = 'gantry release: config';

/**
 * Turns every planned image into its builds, in publication order.
 * `baseDir` is where relative file sources are found (the release file's
 * folder).
 */
export function planBuilds(plan: ReleasePlan, baseDir: string): ImageBuilds[] {
  const base = plan.images.find((image) => image.name === BASE_IMAGE_NAME);
  return plan.images.map((image) => imageBuilds(image, base, baseDir));
}

function imageBuilds(
  image: PlannedImage,
  base: PlannedImage | undefined,
  baseDir: string,
): ImageBuilds {
  const builds = image.builds.map((planned): PlatformBuild => {
    const files =
      image.kind === 'base'
        ? (planned.files ?? [])
        : variantFiles(image, filesOf(base, planned.platform));
    const steps: BuildStep[] = [];
    if (files.length > 0) {
      steps.push({
        kind: 'layer',
        inputs: files.map((file): PathInput => fileInput(file, baseDir)),
        createdBy: CREATED_BY_FILES,
      });
    }
    const changes = configChanges(image.config);
    if (Object.keys(changes).length > 0) {
      steps.push({ kind: 'config', changes, createdBy: CREATED_BY_CONFIG });
    }
    const from = image.kind === 'base' ? SCRATCH : (image.from ?? SCRATCH);
    return { platform: parsePlatform(planned.platform), base: from, steps };
  });

  const { manifest, index, descriptor } = image.annotations;
  return {
    image: image.name,
    builds,
    options: {
      labels: image.labels,
      ...(Object.keys(manifest).length === 0 ? {} : { annotations: manifest }),
      indexAnnotations: index,
      // On each platform's entry in the index; attestation entries keep their own.
      ...(Object.keys(descriptor).length === 0
        ? {}
        : { descriptorAnnotations: descriptor }),
      // An index even for one platform: the release's annotations live there.
      index: true,
    },
  };
}

type PlannedFile = { source: string; target: string };

function filesOf(base: PlannedImage | undefined, platform: string): PlannedFile[] {
  const build = base?.builds.find((candidate) => candidate.platform === platform);
  return build?.files ?? [];
}

/**
 * The base files a variant copies: all, or those at or under a `copy`
 * path. A `copy` path that names none of them is an error in the file.
 */
function variantFiles(image: PlannedImage, files: PlannedFile[]): PlannedFile[] {
  if (image.copy === undefined || image.copy === 'all') return files;
  const chosen = new Set<PlannedFile>();
  for (const path of image.copy) {
    const matching = files.filter((file) => isAtOrUnder(file.target, path));
    if (matching.length === 0) {
      throw new GantryError(
        ErrorCode.ReleaseFile,
        `${image.at}: variant ${image.name} copies ${path}, which the base image lacks`,
        { hint: 'copy a path listed under base.files (its "to"), or a folder of one' },
      );
    }
    for (const file of matching) chosen.add(file);
  }
  return files.filter((file) => chosen.has(file));
}

function isAtOrUnder(target: string, path: string): boolean {
  const folder = posix.normalize(path).replace(/\/+$/, '');
  return target === folder || folder === '' || target.startsWith(`${folder}/`);
}

function fileInput(file: PlannedFile, baseDir: string): PathInput {
  const source = isAbsolute(file.source) ? file.source : resolve(baseDir, file.source);
  return { source, destination: file.target };
}

/** The release file's config keys as build config changes; labels go separately. */
export function configChanges(config: ConfigSpec): ConfigChanges {
  return {
    ...(config.env === undefined ? {} : { Env: config.env }),
    ...(config.entrypoint === undefined ? {} : { Entrypoint: config.entrypoint }),
    ...(config.cmd === undefined ? {} : { Cmd: config.cmd }),
    ...(config.workdir === undefined ? {} : { WorkingDir: config.workdir }),
    ...(config.user === undefined ? {} : { User: config.user }),
  };
}
