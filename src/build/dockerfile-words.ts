import { dockerfileError, type SourcePosition } from './dockerfile-errors.js';

/**
 * Words and variables as the Dockerfile reference describes them
 * ("Environment replacement"): `$VAR`, `${VAR}`, `${VAR:-word}`,
 * `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`, `${VAR:?message}`; single
 * quotes keep text literal, double quotes allow replacement, the escape
 * character makes the next character literal.
 *
 * Words are split before replacement, so a value holding spaces stays one
 * word (Docker would split an unquoted one; quoting it gives the same
 * result in both).
 */

export type Variables = ReadonlyMap<string, string>;

/** Splits on unquoted, unescaped whitespace; quotes and escapes stay in. */
export function splitWords(text: string, escapeChar: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;

  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === escapeChar && quote !== "'" && index + 1 < text.length) {
      word += char + text[++index];
      inWord = true;
    } else if (quote !== undefined) {
      if (char === quote) quote = undefined;
      word += char;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      if (char === '"' || char === "'") quote = char;
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** One word with quotes removed, escapes applied and variables replaced. */
export function expandWord(
  word: string,
  variables: Variables,
  escapeChar: string,
  position: SourcePosition,
): string {
  return new Expander(word, variables, escapeChar, position).run();
}

const UNCLOSED = 'a "{" after "$" is not closed by "}"';

class Expander {
  private index = 0;

  constructor(
    private readonly text: string,
    private readonly variables: Variables,
    private readonly escapeChar: string,
    private readonly position: SourcePosition,
  ) {}

  run(stopAt?: string): string {
    let out = '';
    let quote: string | undefined;
    while (this.index < this.text.length) {
      const char = this.text[this.index]!;
      if (stopAt !== undefined && quote === undefined && char === stopAt) return out;
      this.index++;
      if (quote === "'") {
        if (char === "'") quote = undefined;
        else out += char;
      } else if (char === this.escapeChar && this.index < this.text.length) {
        out += this.text[this.index++];
      } else if (char === '$') {
        out += this.variable();
      } else if (char === '"' && quote === '"') {
        quote = undefined;
      } else if ((char === '"' || char === "'") && quote === undefined) {
        quote = char;
      } else {
        out += char;
      }
    }
    if (stopAt !== undefined) throw this.fail(UNCLOSED);
    return out;
  }

  private variable(): string {
    const text = this.text;
    if (text[this.index] === '{') {
      this.index++;
      return this.braced();
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(this.index))?.[0];
    if (name === undefined) return '$';
    this.index += name.length;
    return this.variables.get(name) ?? '';
  }

  private braced(): string {
    const rest = this.text.slice(this.index);
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0];
    if (name === undefined) throw this.fail(`bad substitution "\${${rest}"`);
    this.index += name.length;
    const value = this.variables.get(name);

    if (this.text[this.index] === '}') {
      this.index++;
      return value ?? '';
    }
    if (this.index >= this.text.length) throw this.fail(UNCLOSED);
    const operator = /^:?[-+?]/.exec(this.text.slice(this.index))?.[0];
    if (operator === undefined) throw this.fail(`bad substitution after "${name}"`);
    this.index += operator.length;
    const word = this.run('}');
    this.index++;

    // With ':' an empty value counts as unset (POSIX shell, 2.6.2).
    const set = operator.startsWith(':')
      ? value !== undefined && value !== ''
      : value !== undefined;
    switch (operator.at(-1)) {
      case '-':
        return set ? (value ?? '') : word;
      case '+':
        return set ? word : '';
      default:
        if (set) return value ?? '';
        throw this.fail(`${name}: ${word === '' ? 'is not set' : word}`);
    }
  }

  private fail(message: string): Error {
    return dockerfileError(this.position, message);
  }
}
