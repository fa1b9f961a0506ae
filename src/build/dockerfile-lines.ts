import { dockerfileError } from './dockerfile-errors.js';

/**
 * The first pass over a Dockerfile: parser directives, comments and line
 * continuations, giving one logical line per instruction with the number
 * of the physical line it starts on. Follows the Dockerfile reference,
 * "Parser directives" and "Escape".
 */

/** The escape character unless a `# escape=` directive says otherwise. */
export const DEFAULT_ESCAPE = '\\';

export interface LogicalLine {
  /** 1-based number of the physical line the instruction starts on. */
  line: number;
  keyword: string;
  /** Everything after the keyword, continuations joined, ends trimmed. */
  rest: string;
}

export interface DockerfileLines {
  escapeChar: string;
  /** Directives seen (lower-case names), e.g. `syntax`, which gantry ignores. */
  directives: Record<string, string>;
  lines: LogicalLine[];
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);

export function splitLines(text: string, file: string): DockerfileLines {
  const physical = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const directives: Record<string, string> = {};
  let index = 0;

  // Directives come first; the first other line (even blank) ends them.
  for (; index < physical.length; index++) {
    const match = DIRECTIVE.exec(physical[index]!);
    if (match === null) break;
    const name = match[1]!.toLowerCase();
    if (!KNOWN_DIRECTIVES.has(name)) break;
    if (name in directives) {
      throw dockerfileError({ file, line: index + 1 }, `directive "${name}" given twice`);
    }
    directives[name] = match[2]!;
  }

  const escapeChar = directives.escape ?? DEFAULT_ESCAPE;
  if (escapeChar !== '\\' && escapeChar !== '`') {
    const position = { file, line: 1 };
    throw dockerfileError(
      position,
      `invalid escape character "${escapeChar}"`,
      'use \\ or `',
    );
  }
  return { escapeChar, directives, lines: joinLines(physical, index, escapeChar, file) };
}

function joinLines(
  physical: string[],
  start: number,
  escapeChar: string,
  file: string,
): LogicalLine[] {
  const lines: LogicalLine[] = [];
  let current: { line: number; text: string } | undefined;

  for (let index = start; index < physical.length; index++) {
    const raw = physical[index]!;
    const trimmed = raw.trim();
    // Comment lines and, inside a continuation, empty lines are dropped.
    if (trimmed.startsWith('#')) continue;
    if (trimmed === '') continue;

    const continued = endsWithEscape(raw, escapeChar);
    const body = continued ? stripEscape(raw, escapeChar) : raw;
    if (current === undefined) current = { line: index + 1, text: body.trimStart() };
    else current.text += body;
    if (continued) continue;

    const logical = toLogical(current.line, current.text);
    index = skipHereDocuments(logical, physical, index);
    lines.push(logical);
    current = undefined;
  }
  if (current !== undefined) {
    // A continuation on the last line ends the instruction, as in Docker.
    if (current.text.trim() === '') return lines;
    lines.push(toLogical(current.line, current.text));
  }
  for (const line of lines) {
    if (!/^[A-Za-z]+$/.test(line.keyword)) {
      throw dockerfileError({ file, line: line.line }, `cannot parse "${line.keyword}"`);
    }
  }
  return lines;
}

/** Instructions that take here-documents (BuildKit's Dockerfile 1.4 syntax). */
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);
const HEREDOC_MARKER = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;

/**
 * Skips the bodies of `<<WORD` here-documents after an instruction, so that
 * their lines are not read as instructions; the instruction keeps its
 * first line only, and gantry refuses it later with its own line number
 * (RUN always, COPY and ADD for a here-document source). Returns the index
 * of the last line consumed.
 */
function skipHereDocuments(line: LogicalLine, physical: string[], index: number): number {
  if (!HEREDOC_KEYWORDS.has(line.keyword)) return index;
  let at = index;
  for (const [, dash, , word] of line.rest.matchAll(HEREDOC_MARKER)) {
    for (at++; at < physical.length; at++) {
      const text = dash === '-' ? physical[at]!.replace(/^\t+/, '') : physical[at]!;
      if (text === word) break;
    }
  }
  return at;
}

function endsWithEscape(raw: string, escapeChar: string): boolean {
  return raw.trimEnd().endsWith(escapeChar);
}

function stripEscape(raw: string, escapeChar: string): string {
  const trimmed = raw.trimEnd();
  return trimmed.slice(0, trimmed.length - escapeChar.length);
}

function toLogical(line: number, text: string): LogicalLine {
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  const keyword = space < 0 ? trimmed : trimmed.slice(0, space);
  const rest = space < 0 ? '' : trimmed.slice(space).trim();
  return { line, keyword: keyword.toUpperCase(), rest };
}
