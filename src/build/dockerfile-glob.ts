/**
 * Path patterns as Docker matches them: Go's `filepath.Match` per path
 * segment (`*` and `?` never match `/`, `[...]` and `[^...]` classes, the
 * escape `\`), plus `**` matching any number of folders, as the
 * `.dockerignore` rules and BuildKit's COPY sources allow.
 */

export interface PathPattern {
  /** The pattern as given (cleaned). */
  text: string;
  matches(path: string): boolean;
}

export function hasGlob(text: string): boolean {
  return /[*?[]/.test(text);
}

export function compilePattern(text: string): PathPattern {
  const regexp = new RegExp(`^${toRegExp(text)}$`, 'u');
  return { text, matches: (path) => regexp.test(path) };
}

function toRegExp(pattern: string): string {
  let out = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '*' && pattern[index + 1] === '*') {
      index++;
      if (pattern[index + 1] === '/') {
        index++;
        out += '(?:.*/)?';
      } else {
        out += '.*';
      }
    } else if (char === '*') {
      out += '[^/]*';
    } else if (char === '?') {
      out += '[^/]';
    } else if (char === '[') {
      const end = classEnd(pattern, index);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      out += toClass(pattern.slice(index + 1, end));
      index = end;
    } else if (char === '\\' && index + 1 < pattern.length) {
      out += escapeRegExp(pattern[++index]!);
    } else {
      out += escapeRegExp(char);
    }
  }
  return out;
}

/** Index of the `]` closing the class opened at `start`, or -1. */
function classEnd(pattern: string, start: number): number {
  let index = start + 1;
  if (pattern[index] === '^' || pattern[index] === '!') index++;
  if (pattern[index] === ']') index++;
  for (; index < pattern.length; index++) {
    if (pattern[index] === '\\') index++;
    else if (pattern[index] === ']') return index;
  }
  return -1;
}

function toClass(body: string): string {
  let out = '[';
  let index = 0;
  if (body[0] === '^' || body[0] === '!') {
    out += '^/';
    index = 1;
  }
  for (; index < body.length; index++) {
    const char = body[index]!;
    if (char === '\\' && index + 1 < body.length) out += `\\${body[++index]}`;
    else if (char === '-') out += '-';
    else out += /[\]\\^[]/.test(char) ? `\\${char}` : char;
  }
  return `${out}]`;
}

function escapeRegExp(char: string): string {
  return /[.*+?^${}()|[\]\\/-]/.test(char) ? `\\${char}` : char;
}
