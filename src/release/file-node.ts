import { isMap, isScalar, isSeq, type LineCounter, type Node, Scalar } from 'yaml';
import { ErrorCode, GantryError } from '../errors.js';
import { closestName } from './suggest.js';

/** A value's place in the release file: `release.yaml:14:5`. */
export type Location = string;

/** The file being read: its name for messages and its line index. */
export interface FileSource {
  name: string;
  lines: LineCounter;
}

/**
 * One node of the release file with its field path (`variants[3].tags[0]`).
 * Every read either returns a typed value or throws GANTRY_E_RELEASE_FILE
 * naming the line, the column and the path, so no raw YAML value travels
 * further than this module. The document is parsed with YAML's failsafe
 * schema (YAML 1.2, section 10.1): every scalar is a string, so `1.10` stays
 * `1.10` and booleans are read here, from plain `true` / `false` only. The
 * one thing taken from the core schema (section 10.3.2) is null: a plain
 * `~`, `null` or empty value means no value, never the text "null".
 */
export class Field {
  readonly source: FileSource;
  readonly node: Node | null;
  readonly path: string;
  private readonly offset: number;

  constructor(source: FileSource, node: Node | null, path: string, offset: number) {
    this.source = source;
    this.node = node;
    this.path = path;
    this.offset = node?.range?.[0] ?? offset;
  }

  /** `release.yaml:14:5`: 1-based line and column. */
  get at(): Location {
    const { line, col } = this.source.lines.linePos(this.offset);
    return `${this.source.name}:${line}:${col}`;
  }

  /**
   * True when the key is absent or its value is YAML's null: empty, `~` or
   * `null` unquoted (`key:`, `key: ~`; not `key: ""` or `key: "null"`).
   */
  get isMissing(): boolean {
    if (this.node === null) return true;
    if (!isScalar(this.node) || this.node.type !== Scalar.PLAIN) return false;
    return this.node.value === null || NULL_WORDS.has(String(this.node.value));
  }

  get isList(): boolean {
    return isSeq(this.node);
  }

  get isMap(): boolean {
    return isMap(this.node);
  }

  error(message: string, hint?: string): GantryError {
    const where = this.path === '' ? this.at : `${this.at}: ${this.path}`;
    return new GantryError(ErrorCode.ReleaseFile, `${where}: ${message}`, {
      ...(hint === undefined ? {} : { hint }),
      details: { at: this.at, field: this.path },
    });
  }

  string(): string {
    if (!isScalar(this.node) || this.isMissing) {
      throw this.error(`expected a string, found ${this.kind()}`, this.nullHint());
    }
    return String(this.node.value);
  }

  boolean(): boolean {
    const plain = isScalar(this.node) && this.node.type === Scalar.PLAIN;
    if (plain && (this.node.value === 'true' || this.node.value === 'false')) {
      return this.node.value === 'true';
    }
    throw this.error(`expected true or false, found ${this.kind()}`);
  }

  /**
   * One of `choices`, written as a plain string. `hint` says what the
   * choices mean when no choice is close enough to suggest.
   */
  choice<T extends string>(choices: readonly T[], hint?: string): T {
    const text = this.string();
    const found = choices.find((choice) => choice === text);
    if (found !== undefined) return found;
    const near = closestName(text, choices);
    throw this.error(
      `"${text}" is not one of ${choices.join(', ')}`,
      near === undefined
        ? (hint ?? `write one of ${choices.join(', ')}`)
        : `did you mean "${near}"?`,
    );
  }

  list(): Field[] {
    if (!isSeq(this.node)) throw this.error(`expected a list, found ${this.kind()}`);
    return this.node.items.map(
      (item, index) =>
        new Field(this.source, item as Node, `${this.path}[${index}]`, this.offset),
    );
  }

  /**
   * The items of a list; a single value is read as a list of one, for
   * fields where one value cannot be mistaken for several (a suffix, a
   * path, a tag template). No value is an empty list.
   */
  listOrOne(): Field[] {
    if (this.isMissing) return [];
    return this.isList ? this.list() : [this];
  }

  /**
   * The entries of a mapping whose keys must be among `known` (any key when
   * `known` is undefined). An unknown key is an error at that key, with the
   * closest known key as a "did you mean" hint.
   */
  entries(known?: readonly string[]): Map<string, Field> {
    if (!isMap(this.node)) {
      const keys = known === undefined ? 'its keys' : `its keys (${known.join(', ')})`;
      throw this.error(
        `expected a mapping, found ${this.kind()}`,
        `write ${keys} on the lines below it, indented`,
      );
    }
    const result = new Map<string, Field>();
    for (const pair of this.node.items) {
      const keyNode = isScalar(pair.key) ? pair.key : null;
      const key = keyNode === null ? '' : String(keyNode.value);
      const keyField = new Field(this.source, keyNode, this.child(key), this.offset);
      if (keyNode === null) throw keyField.error('a key must be a plain string');
      if (known !== undefined && !known.includes(key)) {
        const near = closestName(key, known);
        throw keyField.error(
          `unknown key "${key}"`,
          near === undefined
            ? `known keys here: ${known.join(', ')}`
            : `did you mean "${near}"?`,
        );
      }
      const value = (pair.value ?? null) as Node | null;
      result.set(key, new Field(this.source, value, this.child(key), keyNode.range![0]));
    }
    return result;
  }

  /** A mapping of string keys to string values (labels, env). */
  stringMap(): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [key, field] of this.entries()) {
      // `KEY:` with no value is YAML's null, not an empty string.
      if (field.isMissing) {
        throw field.error(
          'no value',
          'write "" for an empty value, or leave the key out',
        );
      }
      result[key] = field.string();
    }
    return result;
  }

  private child(key: string): string {
    const segment = /^[A-Za-z_][\w-]*$/.test(key) ? key : JSON.stringify(key);
    return this.path === '' ? segment : `${this.path}.${segment}`;
  }

  /** For a value written as `~` or `null`: how to mean that text instead. */
  private nullHint(): string | undefined {
    const word = this.nullWord();
    return word === undefined ? undefined : `write "${word}" in quotes to mean that text`;
  }

  /** `~` or `null` as written, when the value is one of YAML's null words. */
  private nullWord(): string | undefined {
    if (!this.isMissing || !isScalar(this.node) || this.node.value === null) return;
    const text = String(this.node.value);
    return text === '' ? undefined : text;
  }

  private kind(): string {
    const word = this.nullWord();
    if (word !== undefined) return `${word} (YAML's null: no value)`;
    if (this.isMissing) return 'nothing';
    if (isSeq(this.node)) return 'a list';
    if (isMap(this.node)) return 'a mapping';
    return `"${String((this.node as Scalar).value)}"`;
  }
}

/** YAML 1.2 core schema nulls (section 10.3.2), besides the empty value. */
const NULL_WORDS: ReadonlySet<string> = new Set(['', '~', 'null', 'Null', 'NULL']);

/** The field under `key`, or a missing field placed at the mapping. */
export function fieldOf(fields: Map<string, Field>, key: string, parent: Field): Field {
  const path = parent.path === '' ? key : `${parent.path}.${key}`;
  return (
    fields.get(key) ?? new Field(parent.source, null, path, parent.node?.range?.[0] ?? 0)
  );
}
