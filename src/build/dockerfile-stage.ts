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

export interface StageState {
  /** `scratch` or an image reference: where the stage's chain starts. */
  base: string;
  platform: Platform;
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
  const config = (changes: ConfigChanges) =>
    state.steps.push({ kind: 'config', changes, createdBy });

  switch (instruction.keyword) {
    case 'ARG':
      for (const { name, defaultValue } of argDeclarations(instruction, words)) {
        const given = context.argValue(name);
        state.args.set(
          name,
          given ?? (defaultValue === undefined ? undefined : expand(defaultValue)),
        );
      }
      return;
    case 'ENV': {
      const env = Object.fromEntries(namedValues(instruction, words));
      for (const [name, value] of Object.entries(env)) state.env.set(name, value);
      return void config({ Env: env });
    }
    case 'LABEL':
      return void config({ Labels: Object.fromEntries(namedValues(instruction, words)) });
    case 'CMD':
      return void config({ Cmd: commandOf(instruction, state.shell) });
    case 'ENTRYPOINT':
      return void config({ Entrypoint: commandOf(instruction, state.shell) });
    case 'WORKDIR': {
      const path = expand(instruction.text);
      if (path === '') throw dockerfileError(position, 'WORKDIR needs a path');
      state.workdir = posix.resolve(state.workdir, path);
      return void config({ WorkingDir: state.workdir });
    }
    case 'USER':
      return void config({ User: single(instruction, expand, position) });
    case 'STOPSIGNAL':
      return void config({ StopSignal: single(instruction, expand, position) });
    case 'EXPOSE':
      return void config({
        ExposedPorts: exposedPorts(wordsOf(instruction, expand, context), position),
      });
    case 'VOLUME':
      return void config({ Volumes: wordsOf(instruction, expand, context) });
    case 'SHELL':
      if (instruction.json === undefined || instruction.json.length === 0) {
        throw dockerfileError(
          position,
          'SHELL needs a JSON array',
          'write SHELL ["/bin/bash", "-c"]',
        );
      }
      state.shell = instruction.json;
      return void config({ Shell: instruction.json });
    case 'HEALTHCHECK':
      return void config({ Healthcheck: healthcheck(instruction, position) });
    case 'COPY':
    case 'ADD':
      return copy(state, instruction, context, { position, expand, createdBy });
    default:
      throw refuseInstruction(instruction, position, context.stageName);
  }
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
