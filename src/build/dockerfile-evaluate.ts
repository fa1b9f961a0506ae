import { isAbsolute, resolve } from 'node:path';
import { type Platform, parsePlatform, platformToString } from '../oci/platform.js';
import type { GlobalScope } from './dockerfile-args.js';
import {
  dockerfileError,
  dockerfileUnsupported,
  type SourcePosition,
} from './dockerfile-errors.js';
import type { Dockerfile, Stage } from './dockerfile-parse.js';
import type { DockerfilePlanOptions } from './dockerfile-plan.js';
import {
  applyInstruction,
  DEFAULT_PATH,
  DEFAULT_SHELL,
  type StageState,
} from './dockerfile-stage.js';
import { type FileTree, MapTree } from './dockerfile-tree.js';

/**
 * Evaluates the stages of one Dockerfile for one platform, each at most
 * once and only when the target needs it: FROM an earlier stage continues
 * its state; `COPY --from` reads the build context, a stage's tree (what
 * its COPY steps wrote, over its base image's layers when a layer reader
 * is given) or an image's tree.
 */
/** A stage by name (any case) or index. */
export function findStage(stages: readonly Stage[], name: string): Stage | undefined {
  const lower = name.toLowerCase();
  return stages.find((stage) => stage.name === lower || `${stage.index}` === lower);
}

export class Evaluator {
  private readonly done = new Map<number, Promise<StageState>>();
  private readonly images = new Map<string, Promise<MapTree>>();

  constructor(
    private readonly dockerfile: Dockerfile,
    private readonly options: DockerfilePlanOptions,
    private readonly platform: Platform,
    private readonly scope: GlobalScope,
    /** The build context, listed on first use. */
    private readonly context: () => Promise<MapTree>,
  ) {}

  stage(stage: Stage): Promise<StageState> {
    let state = this.done.get(stage.index);
    if (state === undefined) {
      state = this.evaluate(stage);
      this.done.set(stage.index, state);
    }
    return state;
  }

  private async evaluate(stage: Stage): Promise<StageState> {
    const state = await this.initial(stage);
    const stageName = stage.name ?? `${stage.index}`;
    const context = {
      file: this.dockerfile.file,
      escapeChar: this.dockerfile.escapeChar,
      stageName,
      argValue: (name: string) => this.scope.argValue(name),
      treeFor: (from: string | undefined, position: SourcePosition) =>
        this.treeFor(stage, from, position),
    };
    for (const instruction of stage.instructions)
      await applyInstruction(state, instruction, context);
    return state;
  }

  private async initial(stage: Stage): Promise<StageState> {
    const position = { file: this.dockerfile.file, line: stage.from.line };
    const base = this.scope.expand(stage.base, position);
    const platformText =
      stage.platform === undefined
        ? undefined
        : this.scope.expand(stage.platform, position);
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
    // BuildKit gives a Windows stage another default; only Linux gets this one.
    const needsPath = !env.has('PATH') && platform.os === 'linux';
    const initialConfig = needsPath ? { Env: { PATH: DEFAULT_PATH } } : undefined;
    if (initialConfig !== undefined) env.set('PATH', DEFAULT_PATH);
    return {
      base,
      platform,
      ...(initialConfig === undefined ? {} : { initialConfig }),
      steps: [],
      tree: new MapTree(name, scratch),
      env,
      args: new Map(),
      workdir: facts?.workingDir || '/',
      shell: [...(facts?.shell ?? DEFAULT_SHELL)],
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
    if (from === undefined) return this.context();
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
