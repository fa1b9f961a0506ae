import type { HealthcheckConfig } from './config.js';
import { dockerfileError, type SourcePosition } from './dockerfile-errors.js';
import type { Instruction } from './dockerfile-parse.js';
import { expandWord, splitWords, type Variables } from './dockerfile-words.js';

/**
 * The arguments of the instructions that only change the image config:
 * `NAME=value` pairs (ENV, LABEL, ARG), commands in exec or shell form
 * (CMD, ENTRYPOINT, HEALTHCHECK), ports, durations. Dockerfile reference
 * sections of the same names.
 */

export interface WordContext {
  position: SourcePosition;
  variables: Variables;
  escapeChar: string;
}

/** `a=b c="d e"` or the legacy `NAME value with spaces` (ENV and LABEL). */
export function namedValues(
  instruction: Instruction,
  context: WordContext,
): [string, string][] {
  const words = splitWords(instruction.text, context.escapeChar);
  if (words.length === 0) throw missing(instruction, context.position);
  const expand = (word: string) =>
    expandWord(word, context.variables, context.escapeChar, context.position);

  if (!words[0]!.includes('=')) {
    // Legacy form: the first word is the name, the rest of the line its value.
    if (words.length < 2) {
      throw dockerfileError(context.position, `${instruction.keyword} needs NAME=value`);
    }
    const value = instruction.text.slice(
      instruction.text.indexOf(words[0]!) + words[0]!.length,
    );
    return [[expand(words[0]!), expand(value.trim())]];
  }
  return words.map((word) => {
    const eq = word.indexOf('=');
    if (eq <= 0) {
      throw dockerfileError(
        context.position,
        `"${word}" is not NAME=value`,
        'quote values that hold spaces',
      );
    }
    return [expand(word.slice(0, eq)), expand(word.slice(eq + 1))];
  });
}

/** ARG: `NAME` or `NAME=default`, several allowed; defaults unexpanded. */
export function argDeclarations(instruction: Instruction, context: WordContext) {
  const words = splitWords(instruction.text, context.escapeChar);
  if (words.length === 0) throw missing(instruction, context.position);
  return words.map((word) => {
    const eq = word.indexOf('=');
    const name = eq < 0 ? word : word.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw dockerfileError(context.position, `invalid ARG name "${name}"`);
    }
    return { name, defaultValue: eq < 0 ? undefined : word.slice(eq + 1) };
  });
}

/** CMD, ENTRYPOINT: exec form as written; shell form run by the stage's SHELL. */
export function commandOf(instruction: Instruction, shell: string[]): string[] {
  return instruction.json ?? [...shell, instruction.text];
}

/** EXPOSE: `80`, `80/tcp`, `53/udp`, ranges `8000-8002` expanded as Docker does. */
export function exposedPorts(words: string[], position: SourcePosition): string[] {
  const ports: string[] = [];
  for (const word of words) {
    const match = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(word);
    if (match === null) {
      throw dockerfileError(
        position,
        `invalid port "${word}"`,
        'write PORT[/tcp|udp|sctp]',
      );
    }
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first || last > 65535)
      throw dockerfileError(position, `invalid port range "${word}"`);
    const protocol = (match[3] ?? 'tcp').toLowerCase();
    for (let port = first; port <= last; port++) ports.push(`${port}/${protocol}`);
  }
  return ports;
}

/** HEALTHCHECK [OPTIONS] CMD command | HEALTHCHECK NONE. */
export function healthcheck(
  instruction: Instruction,
  position: SourcePosition,
): HealthcheckConfig {
  const text = instruction.text;
  if (/^none$/i.test(text)) {
    if (instruction.flags.size > 0) {
      throw dockerfileError(position, 'HEALTHCHECK NONE takes no options');
    }
    return { Test: ['NONE'] };
  }
  const match = /^cmd(\s+|$)/i.exec(text);
  if (match === null) {
    throw dockerfileError(
      position,
      'HEALTHCHECK needs CMD or NONE',
      'write HEALTHCHECK [OPTIONS] CMD command',
    );
  }
  const rest = text.slice(match[0].length).trim();
  const json = instruction.json === undefined ? jsonArray(rest) : undefined;
  const test = json !== undefined ? ['CMD', ...json] : ['CMD-SHELL', rest];
  if (rest === '') throw dockerfileError(position, 'HEALTHCHECK CMD needs a command');

  const settings: HealthcheckConfig = { Test: test };
  const durations = [
    ['interval', 'Interval'],
    ['timeout', 'Timeout'],
    ['start-period', 'StartPeriod'],
    ['start-interval', 'StartInterval'],
  ] as const;
  for (const [flag, field] of durations) {
    const value = instruction.flags.get(flag);
    if (value !== undefined) settings[field] = durationNanoseconds(value, flag, position);
  }
  const retries = instruction.flags.get('retries');
  if (retries !== undefined) {
    if (!/^\d+$/.test(retries))
      throw dockerfileError(position, `--retries "${retries}" is not a number`);
    settings.Retries = Number(retries);
  }
  return settings;
}

function jsonArray(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
      return value;
  } catch {
    // shell form
  }
  return undefined;
}

const UNIT_NANOSECONDS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's `time.ParseDuration` subset: `30s`, `1m30s`, `1.5h`, `500ms`. */
export function durationNanoseconds(
  text: string,
  flag: string,
  position: SourcePosition,
) {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  const joined = parts.map((part) => part[0]).join('');
  if (parts.length === 0 || joined !== text) {
    throw dockerfileError(
      position,
      `--${flag} "${text}" is not a duration`,
      'write e.g. 30s, 1m30s',
    );
  }
  return Math.round(
    parts.reduce((sum, part) => sum + Number(part[1]) * UNIT_NANOSECONDS[part[2]!]!, 0),
  );
}

function missing(instruction: Instruction, position: SourcePosition) {
  return dockerfileError(position, `${instruction.keyword} needs arguments`);
}
