import { isAbsolute, resolve } from 'node:path';
import { type Platform, parsePlatform, platformToString } from '../oci/platform.js';
import type { PlatformBuild } from './build-image.js';
import { argDeclarations } from './dockerfile-config.js';
import {
  dockerfileError,
  dockerfileUnsupported,
  type SourcePosition,
} from './dockerfile-errors.js';
import type { Dockerfile, Stage } from './dockerfile-parse.js';
import { applyInstruction, DEFAULT_SHELL, type StageState } from './dockerfile-stage.js';
import { type FileTree, loadContext, MapTree } from './dockerfile-tree.js';
import { expandWord } from './dockerfile-words.js';
import { hostPlatform, platformArgs } from './platform-args.js';

/**
 * A parsed Dockerfile and its build arguments become one PlatformBuild per
 * target platform: the target stage's base and the steps of its chain of
 * stages. Only the stages the target needs are evaluated (FROM a stage,
 * `COPY --from` a stage), as BuildKit does. File trees of stages are
 * known from their own COPY steps, never from layers: `COPY --from` a
 * stage reads what that stage copied, and is refused where the answer
 * could lie in a base image's layers.
 */

export interface BaseFacts {
  /** `NAME=value` entries of the base config's Env. */
  env: string[];
  workingDir?: string;
}

export interface DockerfilePlanOptions {
  /** The build context folder. */
  context: string;
  platforms: Platform[];
  buildArgs?: Record<string, string>;
  /** Stage name or index; the last stage otherwise. */
  target?: string;
  /** BUILDPLATFORM; the machine's own otherwise. */
  buildPlatform?: Platform;
  /** Env and WorkingDir of an image base, for `$VAR` and relative paths. */
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
  const context = await loadContext(options.context);
  const used = new Set<string>();
  const builds: PlatformBuild[] = [];

  for (const platform of options.platforms) {
    const evaluator = new Evaluator(dockerfile, options, platform, context, used);
    const state = await evaluator.stage(target);
    builds.push({ platform: state.platform, base: state.base, steps: state.steps });
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

function findStage(stages: readonly Stage[], name: string): Stage | undefined {
  const lower = name.toLowerCase();
  return stages.find((stage) => stage.name === lower || `${stage.index}` === lower);
}

class Evaluator {
  private readonly globals = new Map<string, string | undefined>();
  private readonly automatic: Record<string, string>;
  private readonly done = new Map<number, Promise<StageState>>();
  private readonly images = new Map<string, Promise<MapTree>>();

  constructor(
    private readonly dockerfile: Dockerfile,
    private readonly options: DockerfilePlanOptions,
    private readonly platform: Platform,
    private readonly context: MapTree,
    private readonly used: Set<string>,
  ) {
    this.automatic = platformArgs(platform, options.buildPlatform ?? hostPlatform());
    this.evaluateGlobals();
  }

  stage(stage: Stage): Promise<StageState> {
    let state = this.done.get(stage.index);
    if (state === undefined) {
      state = this.evaluate(stage);
      this.done.set(stage.index, state);
    }
    return state;
  }

  /** Global ARGs; automatic platform ARGs are in the global scope unasked. */
  private evaluateGlobals(): void {
    const file = this.dockerfile.file;
    for (const instruction of this.dockerfile.globalArgs) {
      const position = { file, line: instruction.line };
      const words = {
        position,
        variables: this.globalVariables(),
        escapeChar: this.dockerfile.escapeChar,
      };
      for (const { name, defaultValue } of argDeclarations(instruction, words)) {
        const given = this.buildArg(name);
        const fallback =
          defaultValue === undefined
            ? undefined
            : this.expandGlobal(defaultValue, position);
        this.globals.set(name, given ?? fallback);
      }
    }
  }

  private globalVariables(): Map<string, string> {
    const variables = new Map(Object.entries(this.automatic));
    for (const [name, value] of this.globals)
      if (value !== undefined) variables.set(name, value);
    return variables;
  }

  private expandGlobal(word: string, position: SourcePosition): string {
    return expandWord(word, this.globalVariables(), this.dockerfile.escapeChar, position);
  }

  private buildArg(name: string): string | undefined {
    if (name in this.automatic) return this.automatic[name];
    const value = this.options.buildArgs?.[name];
    if (value !== undefined) this.used.add(name);
    return value;
  }

  private async evaluate(stage: Stage): Promise<StageState> {
    const state = await this.initial(stage);
    const stageName = stage.name ?? `${stage.index}`;
    const context = {
      file: this.dockerfile.file,
      escapeChar: this.dockerfile.escapeChar,
      stageName,
      argValue: (name: string) => this.buildArg(name) ?? this.globals.get(name),
      treeFor: (from: string | undefined, position: SourcePosition) =>
        this.treeFor(stage, from, position),
    };
    for (const instruction of stage.instructions)
      await applyInstruction(state, instruction, context);
    return state;
  }

  private async initial(stage: Stage): Promise<StageState> {
    const position = { file: this.dockerfile.file, line: stage.from.line };
    const base = this.expandGlobal(stage.base, position);
    const platformText =
      stage.platform === undefined
        ? undefined
        : this.expandGlobal(stage.platform, position);
    const platform =
      platformText === undefined ? this.platform : parsePlatform(platformText);

    const earlier = findStage(this.dockerfile.stages.slice(0, stage.index), base);
    if (earlier !== undefined && earlier.name !== undefined) {
      const parent = await this.stage(earlier);
      return {
        ...parent,
        steps: [...parent.steps],
        tree: parent.tree.copy(`stage "${stage.name ?? stage.index}"`),
        env: new Map(parent.env),
        args: new Map(),
        shell: [...parent.shell],
        platform: stage.platform === undefined ? parent.platform : platform,
      };
    }
    return this.fromImage(stage, this.baseReference(base, position), platform);
  }

  private async fromImage(
    stage: Stage,
    base: string,
    platform: Platform,
  ): Promise<StageState> {
    const scratch = base === 'scratch';
    const facts =
      scratch || this.options.baseFacts === undefined
        ? undefined
        : await this.options.baseFacts(base, platform);
    const env = new Map<string, string>();
    for (const entry of facts?.env ?? []) {
      const eq = entry.indexOf('=');
      if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
    const name = `stage "${stage.name ?? stage.index}"`;
    return {
      base,
      platform,
      steps: [],
      tree: new MapTree(name, scratch),
      env,
      args: new Map(),
      workdir: facts?.workingDir || '/',
      shell: [...DEFAULT_SHELL],
    };
  }

  /** `oci:` and archive bases with relative paths are found in the context. */
  private baseReference(base: string, position: SourcePosition): string {
    if (base === '') throw dockerfileError(position, 'FROM names no image');
    const match = /^(oci|oci-archive|docker-archive):(.+)$/.exec(base);
    if (match === null || isAbsolute(match[2]!)) return base;
    return `${match[1]}:${resolve(this.options.context, match[2]!)}`;
  }

  /**
   * The build context, a stage's tree, or an image's: a stage on an image
   * base is its image's tree with the stage's own writes replayed on top.
   */
  private async treeFor(
    stage: Stage,
    from: string | undefined,
    position: SourcePosition,
  ): Promise<FileTree> {
    if (from === undefined) return this.context;
    const source = findStage(this.dockerfile.stages.slice(0, stage.index), from);
    if (source === undefined) {
      return this.imageTree(this.baseReference(from, position), this.platform, position);
    }
    const state = await this.stage(source);
    if (state.tree.complete || this.options.imageTree === undefined) return state.tree;
    const image = await this.imageTree(state.base, state.platform, position);
    const tree = image.copy(state.tree.description, true);
    for (const [path, node] of state.tree.writes) tree.put(path, node);
    return tree;
  }

  private imageTree(ref: string, platform: Platform, position: SourcePosition) {
    const read = this.options.imageTree;
    if (read === undefined) {
      throw dockerfileUnsupported(
        position,
        `COPY --from ${ref} needs that image's layers, and no layer reader was given`,
        'put those files in the build context, or COPY them in a FROM scratch stage',
      );
    }
    const key = `${ref} ${platformToString(platform)}`;
    let tree = this.images.get(key);
    if (tree === undefined) {
      tree = read(ref, platform);
      this.images.set(key, tree);
    }
    return tree;
  }
}
