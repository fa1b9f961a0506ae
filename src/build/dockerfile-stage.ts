import { posix } from 'node:path';
import type { Platform } from '../oci/platform.js';
import type { BuildStep } from './build-image.js';
import type { ConfigChanges } from './config.js';
import {
  argDeclarations,
  commandOf,
  exposedPorts,
  healthcheck,
  namedValues,
  type WordContext,
} from './dockerfile-config.js';
import { planCopy } from './dockerfile-copy.js';
import { copyFlags } from './dockerfile-copy-flags.js';
import { dockerfileError, type SourcePosition } from './dockerfile-errors.js';
import type { Instruction } from './dockerfile-parse.js';
import { refuseInstruction } from './dockerfile-refuse.js';
import type { FileTree, MapTree } from './dockerfile-tree.js';
import { expandWord, splitWords } from './dockerfile-words.js';

/**
 * One stage evaluated for one platform: the state the Dockerfile reference
 * describes (variables, WORKDIR, SHELL) and the build steps the stage's
 * instructions become. Config instructions become config steps; COPY and
 * ADD become one layer each; RUN and the rest that need a container
 * runtime are refused (dockerfile-refuse.ts).
 */

/** Docker's default SHELL on Linux (Dockerfile reference, "SHELL"). */
export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/**
 * The PATH BuildKit gives a stage whose base sets none (`FROM scratch`
 * among them), in the config itself and with no history entry: the
 * BuildKit image in ../shared/fixtures/buildkit has it on both platforms.
 */
export const DEFAULT_PATH =
  '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface StageState {
  /** `scratch` or an image reference: where the stage's chain starts. */
  base: string;
  platform: Platform;
  /** Config the stage starts with beyond its base's (DEFAULT_PATH). */
  initialConfig?: ConfigChanges;
  steps: BuildStep[];
  /** Files the stage wrote; `complete` only above scratch. */
  tree: MapTree;
  env: Map<string, string>;
  args: Map<string, string | undefined>;
  workdir: string;
  shell: string[];
}

export interface StageContext {
  file: string;
  escapeChar: string;
  stageName: string;
  /** Values of ARGs a stage declares without a default: build args, then global. */
  argValue(name: string): string | undefined;
  /** The tree `COPY --from=NAME` reads, or the build context for undefined. */
  treeFor(from: string | undefined, position: SourcePosition): Promise<FileTree>;
}

export async function applyInstruction(
  state: StageState,
  instruction: Instruction,
  context: StageContext,
): Promise<void> {
  const position = { file: context.file, line: instruction.line };
  const words: WordContext = {
    position,
    variables: variablesOf(state),
    escapeChar: context.escapeChar,
  };
  const expand = (word: string) =>
    expandWord(word, words.variables, context.escapeChar, position);
  const createdBy = historyText(instruction);

  if (instruction.keyword === 'ARG') {
    for (const { name, defaultValue } of argDeclarations(instruction, words)) {
      const fallback = defaultValue === undefined ? undefined : expand(defaultValue);
      state.args.set(name, context.argValue(name) ?? fallback);
    }
  } else if (instruction.keyword === 'COPY' || instruction.keyword === 'ADD') {
    await copy(state, instruction, context, { position, expand, createdBy });
  } else {
    const changes = configChanges(state, instruction, { words, expand, context });
    state.steps.push({ kind: 'config', changes, createdBy });
  }
}

/** A config instruction's changes; ENV, WORKDIR and SHELL also change the state. */
function configChanges(
  state: StageState,
  instruction: Instruction,
  using: { words: WordContext; expand: (word: string) => string; context: StageContext },
): ConfigChanges {
  const { words, expand, context } = using;
  const position = words.position;
  switch (instruction.keyword) {
    case 'ENV': {
      const env = Object.fromEntries(namedValues(instruction, words));
      for (const [name, value] of Object.entries(env)) state.env.set(name, value);
      return { Env: env };
    }
    case 'LABEL':
      return { Labels: Object.fromEntries(namedValues(instruction, words)) };
    case 'CMD':
      return { Cmd: commandOf(instruction, state.shell) };
    case 'ENTRYPOINT':
      return { Entrypoint: commandOf(instruction, state.shell) };
    case 'WORKDIR': {
      const path = expand(instruction.text);
      if (path === '') throw dockerfileError(position, 'WORKDIR needs a path');
      state.workdir = posix.resolve(state.workdir, path);
      return { WorkingDir: state.workdir };
    }
    case 'USER':
      return { User: single(instruction, expand, position) };
    case 'STOPSIGNAL':
      return { StopSignal: single(instruction, expand, position) };
    case 'EXPOSE':
      return {
        ExposedPorts: exposedPorts(wordsOf(instruction, expand, context), position),
      };
    case 'VOLUME':
      return { Volumes: wordsOf(instruction, expand, context) };
    case 'SHELL':
      state.shell = shellOf(instruction, position);
      return { Shell: state.shell };
    case 'HEALTHCHECK':
      return { Healthcheck: healthcheck(instruction, position) };
    default:
      throw refuseInstruction(instruction, position, context.stageName);
  }
}

function shellOf(instruction: Instruction, position: SourcePosition): string[] {
  if (instruction.json === undefined || instruction.json.length === 0) {
    throw dockerfileError(
      position,
      'SHELL needs a JSON array',
      'write SHELL ["/bin/bash", "-c"]',
    );
  }
  return instruction.json;
}

/** The instruction as written, continuations joined, for the image history. */
function historyText(instruction: Instruction): string {
  const flags = [...instruction.flags].map(([name, value]) =>
    value === '' ? `--${name}` : `--${name}=${value}`,
  );
  return [instruction.keyword, ...flags, instruction.text.replace(/\s+/g, ' ')]
    .join(' ')
    .trim();
}

/** ENV wins over ARG of the same name (Dockerfile reference, "ARG"). */
function variablesOf(state: StageState): Map<string, string> {
  const variables = new Map<string, string>();
  for (const [name, value] of state.args)
    if (value !== undefined) variables.set(name, value);
  for (const [name, value] of state.env) variables.set(name, value);
  return variables;
}

function wordsOf(
  instruction: Instruction,
  expand: (word: string) => string,
  context: StageContext,
) {
  return (instruction.json ?? splitWords(instruction.text, context.escapeChar)).map(
    expand,
  );
}

function single(
  instruction: Instruction,
  expand: (word: string) => string,
  position: SourcePosition,
) {
  const value = expand(instruction.text.trim());
  if (value === '')
    throw dockerfileError(position, `${instruction.keyword} needs a value`);
  return value;
}

async function copy(
  state: StageState,
  instruction: Instruction,
  context: StageContext,
  step: { position: SourcePosition; expand: (word: string) => string; createdBy: string },
): Promise<void> {
  const { position, expand } = step;
  const options = copyFlags(instruction, position, expand, state);
  const words = (
    instruction.json ?? splitWords(instruction.text, context.escapeChar)
  ).map(expand);
  if (words.length < 2) {
    throw dockerfileError(
      position,
      `${instruction.keyword} needs a source and a destination`,
    );
  }
  const from = await context.treeFor(options.from, position);
  const plan = await planCopy({
    position,
    keyword: instruction.keyword === 'ADD' ? 'ADD' : 'COPY',
    sources: words.slice(0, -1),
    destination: words.at(-1)!,
    workdir: state.workdir,
    from,
    into: state.tree,
    ...options.ownership,
  });
  for (const [path, node] of plan.placed) state.tree.put(path, node);
  state.steps.push({
    kind: 'layer',
    inputs: plan.inputs,
    createdBy: `${step.createdBy} # gantry`,
  });
}
