import { dockerfileError } from './dockerfile-errors.js';
import { type LogicalLine, splitLines } from './dockerfile-lines.js';

/**
 * A Dockerfile parsed into stages of instructions. Parsing checks syntax
 * only (keywords, flags, JSON form, FROM and ARG placement); what an
 * instruction means, with variables replaced, is decided when its stage is
 * evaluated (dockerfile-plan.ts), since values depend on the platform and
 * on build arguments.
 */

export interface Instruction {
  /** 1-based line the instruction starts on. */
  line: number;
  /** Upper-case keyword: `COPY`, `ENV`, ... */
  keyword: string;
  /** Leading `--name=value` flags; a flag without `=` has the value `''`. */
  flags: ReadonlyMap<string, string>;
  /** The arguments in JSON (exec) form, when written that way. */
  json?: string[];
  /** The arguments after the flags, as written (continuations joined). */
  text: string;
}

export interface Stage {
  index: number;
  /** `AS name`, lower-cased as Docker compares stage names. */
  name?: string;
  /** Base: `scratch`, an image reference or an earlier stage, unexpanded. */
  base: string;
  /** `--platform` of FROM, unexpanded. */
  platform?: string;
  from: Instruction;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Name used in messages, e.g. `Dockerfile` or `docker/app.Dockerfile`. */
  file: string;
  escapeChar: string;
  directives: Record<string, string>;
  /** ARG instructions before the first FROM: the global scope. */
  globalArgs: Instruction[];
  stages: Stage[];
}

/** Flags each instruction accepts (Dockerfile reference). */
const FLAGS: Record<string, ReadonlySet<string>> = {
  FROM: new Set(['platform']),
  COPY: new Set(['from', 'chmod', 'chown', 'link', 'parents', 'exclude']),
  ADD: new Set(['chmod', 'chown', 'link', 'checksum', 'keep-git-dir', 'exclude']),
  HEALTHCHECK: new Set([
    'interval',
    'timeout',
    'start-period',
    'start-interval',
    'retries',
  ]),
  // RUN is refused when evaluated, whatever its flags; its flags parse freely.
  RUN: new Set(),
};

export const KEYWORDS = new Set([
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'MAINTAINER',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
]);

export function parseDockerfile(text: string, file = 'Dockerfile'): Dockerfile {
  const { escapeChar, directives, lines } = splitLines(text, file);
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];

  for (const line of lines) {
    const instruction = parseInstruction(line, file);
    if (instruction.keyword === 'FROM') {
      stages.push(parseFrom(instruction, stages, file));
    } else if (stages.length > 0) {
      stages.at(-1)?.instructions.push(instruction);
    } else if (instruction.keyword === 'ARG') {
      globalArgs.push(instruction);
    } else {
      const where = { file, line: line.line };
      throw dockerfileError(
        where,
        `${line.keyword} before the first FROM`,
        'only ARG may come before FROM',
      );
    }
  }
  if (stages.length === 0) {
    throw dockerfileError(
      { file, line: 1 },
      'no FROM instruction',
      'start with FROM IMAGE or FROM scratch',
    );
  }
  return { file, escapeChar, directives, globalArgs, stages };
}

function parseInstruction(line: LogicalLine, file: string): Instruction {
  const position = { file, line: line.line };
  if (!KEYWORDS.has(line.keyword)) {
    throw dockerfileError(position, `unknown instruction ${line.keyword}`);
  }
  const allowed = FLAGS[line.keyword];
  const flags = new Map<string, string>();
  let text = line.rest;

  for (
    let match = /^--([a-z][a-z-]*)(?:=(\S*))?(\s+|$)/.exec(text);
    allowed !== undefined && match !== null;
    match = /^--([a-z][a-z-]*)(?:=(\S*))?(\s+|$)/.exec(text)
  ) {
    const name = match[1]!;
    if (line.keyword !== 'RUN' && !allowed.has(name)) {
      throw dockerfileError(position, `unknown flag --${name} for ${line.keyword}`);
    }
    flags.set(name, match[2] ?? '');
    text = text.slice(match[0].length);
  }

  const json = jsonForm(text);
  return {
    line: line.line,
    keyword: line.keyword,
    flags,
    text,
    ...(json === undefined ? {} : { json }),
  };
}

/** `["a", "b"]` → its strings; anything else is shell form (as Docker falls back). */
function jsonForm(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
      return value;
  } catch {
    // not JSON: shell form
  }
  return undefined;
}

function parseFrom(instruction: Instruction, stages: Stage[], file: string): Stage {
  const position = { file, line: instruction.line };
  const words = instruction.text.split(/\s+/).filter((word) => word !== '');
  const named = words.length === 3 && words[1]!.toUpperCase() === 'AS';
  if (words.length !== 1 && !named) {
    throw dockerfileError(
      position,
      'FROM takes an image and optionally AS name',
      'write FROM [--platform=P] IMAGE [AS NAME]',
    );
  }
  const name = named ? words[2]!.toLowerCase() : undefined;
  if (name !== undefined) {
    if (!/^[a-z][a-z0-9_.-]*$/.test(name)) {
      throw dockerfileError(position, `invalid stage name "${name}"`);
    }
    if (stages.some((stage) => stage.name === name)) {
      throw dockerfileError(position, `stage name "${name}" is used twice`);
    }
  }
  const platform = instruction.flags.get('platform');
  return {
    index: stages.length,
    ...(name === undefined ? {} : { name }),
    base: words[0]!,
    ...(platform === undefined ? {} : { platform }),
    from: instruction,
    instructions: [],
  };
}
