import { parse } from 'yaml';
import type { Field } from './file-node.js';

/**
 * `entrypoint` and `cmd` hold the image config's exec form: a list of
 * arguments, run without a shell (image-spec config.md, "Entrypoint" and
 * "Cmd"). A single string is refused rather than guessed. A Dockerfile
 * reads a string there as a shell command, while one string in the exec
 * form names a program: `"/bin/sh -c x"` would be taken as a program of that
 * name and fail only when the container starts.
 */

/** Characters that make a string shell syntax rather than plain words. */
const SHELL_SYNTAX = /["'\\$`|&;<>(){}*?~#]/;

/** A shell that takes its command after `-c`, as a path or a bare name. */
const SHELL = /(^|\/)(sh|bash|dash|ash|zsh)$/;

/** An argument that reads back as itself unquoted in a YAML flow list. */
const PLAIN_ARGUMENT = /^[\w/.@%+=-][\w/.@%+=:-]*$/;

/** The list under `key` (`entrypoint` or `cmd`); `[]` stays an empty list. */
export function readArguments(field: Field, key: string): string[] {
  // list() refuses a mapping with "expected a list, found a mapping".
  if (field.isList || field.isMap) return field.list().map((item) => item.string());
  const text = field.string();
  const listed = jsonList(text);
  if (listed !== undefined) {
    // `'["/app", "x"]'`: a list quoted into one string.
    throw field.error(
      `expected a list of arguments, found the string ${JSON.stringify(text)}`,
      `write the list without the quotes around it: ${key}: ` +
        `[${listed.map(flowItem).join(', ')}]`,
    );
  }
  if (text.trim() === '') {
    throw field.error(
      'expected a list of arguments, found an empty string',
      `write ${key}: [] for an empty list, or leave ${key} out`,
    );
  }
  const words = text.trim().split(/\s+/);
  const why =
    words.length > 1
      ? 'a string is not split into arguments or run by a shell'
      : 'the exec form is a list';
  throw field.error(
    `expected a list of arguments, found ${JSON.stringify(text)}`,
    `${why}; write ${key}: [${suggestedList(text, words).map(flowItem).join(', ')}]`,
  );
}

/**
 * The items of `text` when it is a list written inside a string (JSON or a
 * YAML flow list: `'["/app", "x"]'`, `"[/app, x]"`), else undefined.
 */
function jsonList(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) return undefined;
  try {
    const value: unknown = parse(trimmed);
    const plain = (v: unknown) => ['string', 'number', 'boolean'].includes(typeof v);
    return Array.isArray(value) && value.every(plain) ? value.map(String) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the user most likely meant: the words as arguments, or the text run
 * by /bin/sh when it uses shell syntax. `sh -c "cmd"` keeps its shell and
 * gets its command as one argument.
 */
function suggestedList(text: string, words: string[]): string[] {
  const [program, flag] = words;
  if (program !== undefined && SHELL.test(program) && flag === '-c') {
    const command = text.trim().slice(program.length).trimStart().slice(2).trim();
    return [program, '-c', unquoted(command)];
  }
  if (SHELL_SYNTAX.test(text)) return ['/bin/sh', '-c', text.trim()];
  return words;
}

/** `"echo hi"` or `'echo hi'` as the shell would pass it: `echo hi`. */
function unquoted(text: string): string {
  const quote = text[0];
  const wrapped = text.length > 1 && (quote === '"' || quote === "'");
  return wrapped && text.endsWith(quote) ? text.slice(1, -1) : text;
}

/** One list item as YAML: plain when that reads back the same, else quoted. */
function flowItem(argument: string, index: number, list: string[]): string {
  // The command after `-c` is shell text: quoted, so it reads as one item.
  const command = index === 2 && list[1] === '-c';
  const plain = PLAIN_ARGUMENT.test(argument) && !/^(null|Null|NULL)$/.test(argument);
  return plain && !command ? argument : JSON.stringify(argument);
}
