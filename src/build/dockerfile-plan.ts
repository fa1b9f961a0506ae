import type { Platform } from '../oci/platform.js';
import type { PlatformBuild } from './build-image.js';
import { GlobalScope } from './dockerfile-args.js';
import { dockerfileError } from './dockerfile-errors.js';
import { Evaluator, findStage } from './dockerfile-evaluate.js';
import type { Dockerfile, Stage } from './dockerfile-parse.js';
import { loadContext, type MapTree } from './dockerfile-tree.js';
import { hostPlatform } from './platform-args.js';

/**
 * A parsed Dockerfile and its build arguments become one PlatformBuild per
 * target platform: the target stage's base and the steps of its chain of
 * stages. Only the stages the target needs are evaluated (FROM a stage,
 * `COPY --from` a stage), as BuildKit does (dockerfile-evaluate.ts). The
 * build context is listed once, on first use, with .dockerignore applied.
 * Image layers are read only through `imageTree`, and only for `COPY
 * --from` an image or a stage on one; a base's layers are never read
 * otherwise.
 */

export interface BaseFacts {
  /** `NAME=value` entries of the base config's Env. */
  env: string[];
  workingDir?: string;
  /** Docker's `Shell` of the base: what shell-form CMD and ENTRYPOINT run in. */
  shell?: string[];
}

export interface DockerfilePlanOptions {
  /** The build context folder. */
  context: string;
  /**
   * The Dockerfile's own ignore file (`<Dockerfile>.dockerignore` beside
   * it), used instead of the context's `.dockerignore` when it exists, as
   * BuildKit does.
   */
  ignoreFile?: string;
  platforms: Platform[];
  buildArgs?: Record<string, string>;
  /** Stage name or index; the last stage otherwise. */
  target?: string;
  /** BUILDPLATFORM; the machine's own otherwise. */
  buildPlatform?: Platform;
  /** Env, WorkingDir and Shell of an image base, for `$VAR`, paths and shell forms. */
  baseFacts?: (base: string, platform: Platform) => Promise<BaseFacts>;
  /**
   * Reads an image's file tree from its layers, for `COPY --from` an image
   * or a stage on an image base (dockerfile-image-tree.ts). Without it such
   * copies are refused.
   */
  imageTree?: (ref: string, platform: Platform) => Promise<MapTree>;
  /** Build arguments that no ARG declared (Docker warns about them). */
  onUnusedArgs?: (names: string[]) => void;
}

export async function planDockerfile(
  dockerfile: Dockerfile,
  options: DockerfilePlanOptions,
): Promise<PlatformBuild[]> {
  const target = targetStage(dockerfile, options.target);
  let listed: Promise<MapTree> | undefined;
  const context = () => {
    listed ??= loadContext(options.context, options.ignoreFile);
    return listed;
  };
  const used = new Set<string>();
  const builds: PlatformBuild[] = [];

  for (const platform of options.platforms) {
    const build = options.buildPlatform ?? hostPlatform();
    const scope = new GlobalScope(
      dockerfile,
      platform,
      build,
      options.buildArgs ?? {},
      used,
    );
    const evaluator = new Evaluator(dockerfile, options, platform, scope, context);
    const state = await evaluator.stage(target);
    const { base, initialConfig, steps } = state;
    builds.push({
      platform: state.platform,
      base,
      ...(initialConfig === undefined ? {} : { initialConfig }),
      steps,
    });
  }
  const unused = Object.keys(options.buildArgs ?? {}).filter((name) => !used.has(name));
  if (unused.length > 0) options.onUnusedArgs?.(unused);
  return builds;
}

function targetStage(dockerfile: Dockerfile, target: string | undefined): Stage {
  if (target === undefined) return dockerfile.stages.at(-1)!;
  const found = findStage(dockerfile.stages, target);
  if (found === undefined) {
    throw dockerfileError(
      { file: dockerfile.file, line: 1 },
      `no stage named "${target}"`,
      'name a stage with FROM IMAGE AS NAME',
    );
  }
  return found;
}
