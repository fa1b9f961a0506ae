import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, GantryError } from '../../src/errors.js';
import { parseReleaseFile } from '../../src/release/file.js';

/**
 * `entrypoint` and `cmd` are exec-form lists: a string there is refused at
 * its line with the list it most likely meant, never guessed. YAML's null
 * (`~`, `null`, an empty value) is "not set" where a key is optional and an
 * error naming the field where a value is needed, never the text "null".
 * Keys where one value cannot mean several still take a single value.
 */

const BASE = [
  'base:',
  '  files:',
  '    - from: dist/$TARGETARCH/tool',
  '      to: /tool',
];

const VARIANT = ['variants:', '  - from: alpine:3.21', '    suffixes: [alpine]'];

function parse(lines: string[]) {
  return parseReleaseFile(lines.join('\n'), 'release.yaml');
}

/** Parses `lines` and returns the GantryError it must throw. */
function failure(lines: string[]): GantryError {
  try {
    parse(lines);
  } catch (error) {
    assert.ok(error instanceof GantryError, `not a GantryError: ${String(error)}`);
    return error;
  }
  assert.fail(`no error for:\n${lines.join('\n')}`);
}

test('a shell command as a string entrypoint is refused with the list form', () => {
  const error = failure([...BASE, '  entrypoint: "/bin/sh -c x"']);
  assert.equal(error.code, ErrorCode.ReleaseFile);
  assert.equal(
    error.message,
    'release.yaml:5:15: base.entrypoint: expected a list of arguments, ' +
      'found "/bin/sh -c x"',
  );
  assert.equal(
    error.hint,
    'a string is not split into arguments or run by a shell; ' +
      'write entrypoint: [/bin/sh, -c, "x"]',
  );
});

test('a variant config cmd as a string is refused at its field', () => {
  const words = failure([
    ...VARIANT,
    '    config:',
    '      cmd: serve --port 80',
    ...BASE,
  ]);
  assert.equal(
    words.message,
    'release.yaml:5:12: variants[0].config.cmd: expected a list of arguments, ' +
      'found "serve --port 80"',
  );
  assert.match(words.hint ?? '', /write cmd: \[serve, --port, 80\]$/);

  const shell = failure([...BASE, '  cmd: echo $HOME && ls']);
  assert.match(shell.hint ?? '', /write cmd: \[\/bin\/sh, -c, "echo \$HOME && ls"\]$/);

  const quoted = failure([...BASE, `  cmd: sh -c 'echo hi'`]);
  assert.match(quoted.hint ?? '', /write cmd: \[sh, -c, "echo hi"\]$/);
});

test('numbers and booleans are not taken as a list of one argument', () => {
  for (const value of ['42', 'true', '/usr/local/bin/tool']) {
    const error = failure([...BASE, `  entrypoint: ${value}`]);
    assert.equal(
      error.message,
      'release.yaml:5:15: base.entrypoint: expected a list of arguments, ' +
        `found "${value}"`,
    );
    assert.equal(error.hint, `the exec form is a list; write entrypoint: [${value}]`);
  }
  const list = parse([...BASE, '  entrypoint: [/tool, 42, true]', '  cmd: []']);
  assert.deepEqual(list.base.config.entrypoint, ['/tool', '42', 'true']);
  assert.deepEqual(list.base.config.cmd, [], 'an empty list stays an empty list');
});

test('null for an optional key means not set, never the text "null"', () => {
  for (const empty of ['~', 'null', 'NULL', '']) {
    const file = parse([
      ...BASE,
      `  entrypoint: ${empty}`,
      `  cmd: ${empty}`,
      `  user: ${empty}`,
      `version: ${empty}`,
      `latest: ${empty}`,
      `scheme: ${empty}`,
      `destinations: ${empty}`,
      ...VARIANT,
      `    copy: ${empty}`,
      `    config: { entrypoint: ${empty} }`,
      'metadata:',
      `  title: ${empty}`,
      'tags:',
      `  base: ${empty}`,
    ]);
    assert.deepEqual(file.base.config, {}, `written as "${empty}"`);
    assert.deepEqual(file.version, {});
    assert.equal(file.latest, 'auto');
    assert.equal(file.scheme, 'semver');
    assert.equal(file.destinations[0]?.name, 'oci:./gantry-release');
    assert.equal(file.variants[0]?.copy, undefined);
    assert.deepEqual(file.variants[0]?.config, {});
    assert.equal(file.metadata.title, undefined);
    assert.equal(file.tags.base[0], '{{version}}');
  }
});

test('null where a value is needed is an error naming the field', () => {
  const to = failure(['base:', '  files:', '    - from: dist/x', '      to: ~']);
  assert.equal(
    to.message,
    'release.yaml:4:11: base.files[0].to: expected a string, ' +
      "found ~ (YAML's null: no value)",
  );
  assert.equal(to.hint, 'write "~" in quotes to mean that text');

  const item = failure([...BASE, '  entrypoint: [/tool, null]']);
  assert.match(
    item.message,
    /^release\.yaml:5:23: base\.entrypoint\[1\]: expected a string/,
  );

  const env = failure([...BASE, '  env:', '    MODE: ~']);
  assert.equal(env.message, 'release.yaml:6:11: base.env.MODE: no value');
  assert.equal(env.hint, 'write "" for an empty value, or leave the key out');

  const suffixes = failure([
    ...BASE,
    'variants:',
    '  - from: alpine:3.21',
    '    suffixes:',
  ]);
  assert.equal(
    suffixes.message,
    'release.yaml:7:14: variants[0].suffixes: a variant needs at least one suffix',
  );

  const quoted = parse([...BASE, '  user: "null"', '  env: { MODE: "~", EMPTY: "" }']);
  assert.equal(quoted.base.config.user, 'null', 'a quoted null is text');
  assert.deepEqual(quoted.base.config.env, { MODE: '~', EMPTY: '' });
});

test('one suffix, copy path, level or tag template still reads as a list of one', () => {
  const file = parse([
    ...BASE,
    'variants:',
    '  - from: alpine:3.21',
    '    suffixes: alpine',
    '    copy: /tool',
    'metadata:',
    '  level: manifest',
    'tags:',
    "  base: '{{version}}'",
  ]);
  assert.deepEqual(file.variants[0]?.suffixes, ['alpine']);
  assert.deepEqual(file.variants[0]?.copy, ['/tool']);
  assert.deepEqual(file.metadata.levels, ['index', 'manifest']);
  assert.deepEqual(file.tags.base, ['{{version}}']);
});

test('a value that is none of the choices gets a hint with the accepted values', () => {
  const latest = failure([...BASE, 'latest: maybe']);
  assert.equal(
    latest.message,
    'release.yaml:5:9: latest: "maybe" is not one of auto, true, false',
  );
  assert.equal(
    latest.hint,
    'write auto (latest for a final release, never a pre-release), true or false',
  );

  const order = failure([...BASE, 'order: newest']);
  assert.match(order.hint ?? '', /^write base-last, base-first, or the image names/);

  const mode = failure([...BASE, 'attestations:', '  mode: sideways']);
  assert.equal(mode.hint, 'write one of index, referrers');
});

test('a list quoted into a string, or an empty string, gets the list it meant', () => {
  const quoted = failure([...BASE, `  entrypoint: '["/app", "x y"]'`]);
  assert.match(
    quoted.message,
    /base\.entrypoint: expected a list of arguments, found the string/,
  );
  assert.equal(
    quoted.hint,
    'write the list without the quotes around it: entrypoint: [/app, "x y"]',
  );
  for (const text of [`'[/a, -x]'`, `"['/a', '-x']"`]) {
    const flow = failure([...BASE, `  entrypoint: ${text}`]);
    assert.equal(
      flow.hint,
      'write the list without the quotes around it: entrypoint: [/a, -x]',
    );
  }
  const empty = failure([...BASE, '  cmd: ""']);
  assert.match(
    empty.message,
    /base\.cmd: expected a list of arguments, found an empty string/,
  );
  assert.equal(empty.hint, 'write cmd: [] for an empty list, or leave cmd out');
});
