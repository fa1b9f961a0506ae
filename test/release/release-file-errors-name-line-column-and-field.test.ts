import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, GantryError } from '../../src/errors.js';
import { parseReleaseFile } from '../../src/release/file.js';

const BASE = [
  'base:',
  '  files:',
  '    - from: dist/$TARGETARCH/tool',
  '      to: /tool',
];

/** Parses `lines` and returns the GantryError it must throw. */
function failure(lines: string[]): GantryError {
  try {
    parseReleaseFile(lines.join('\n'), 'release.yaml');
  } catch (error) {
    assert.ok(error instanceof GantryError, `not a GantryError: ${String(error)}`);
    return error;
  }
  assert.fail(`no error for:\n${lines.join('\n')}`);
}

test('a valid file reads with defaults filled in', () => {
  const file = parseReleaseFile([...BASE, 'version: 1.10'].join('\n'));
  assert.equal(file.version.value, '1.10', 'failsafe schema keeps 1.10 a string');
  assert.equal(file.scheme, 'semver');
  assert.deepEqual(file.destinations, [
    { kind: 'layout', name: 'oci:./gantry-release', path: './gantry-release' },
  ]);
  assert.deepEqual(file.base.files[0]?.from, {
    'linux/amd64': 'dist/amd64/tool',
    'linux/arm64': 'dist/arm64/tool',
  });
  assert.equal(file.latest, 'auto');
  assert.equal(file.order, 'base-last');
  assert.deepEqual(file.attestations, { provenance: true, sbom: false, mode: 'index' });
});

test('an unknown top-level key names line and column and suggests a key', () => {
  const error = failure([...BASE, 'verison: 1.2.3']);
  assert.equal(error.code, ErrorCode.ReleaseFile);
  assert.equal(error.message, 'release.yaml:5:1: verison: unknown key "verison"');
  assert.equal(error.hint, 'did you mean "version"?');
});

test('an unknown key deep in a variant names the full field path', () => {
  const error = failure([
    ...BASE,
    'variants:',
    '  - from: alpine:3.21',
    '    suffixes: [alpine]',
    '    config:',
    '      entrypont: [/tool]',
  ]);
  assert.equal(
    error.message,
    'release.yaml:9:7: variants[0].config.entrypont: unknown key "entrypont"',
  );
  assert.equal(error.hint, 'did you mean "entrypoint"?');
});

test('a wrong type names the field and what was found', () => {
  const error = failure([...BASE, 'platforms: linux/amd64']);
  assert.equal(
    error.message,
    'release.yaml:5:12: platforms: expected a list, found "linux/amd64"',
  );

  const flag = failure([...BASE, 'attestations:', '  sbom: yes']);
  assert.equal(
    flag.message,
    'release.yaml:6:9: attestations.sbom: expected true or false, found "yes"',
  );
});

test('a bad platform is reported at its list item', () => {
  const error = failure(['platforms:', '  - linux/amd64', '  - linux', ...BASE]);
  assert.match(error.message, /^release\.yaml:3:5: platforms\[1\]: bad platform: /);
});

test('a bad tag template is reported at the template, with a guess', () => {
  const unknown = failure([...BASE, 'tags:', "  base: ['{{version}}', '{{vresion}}']"]);
  assert.match(
    unknown.message,
    /^release\.yaml:6:25: tags\.base\[1\]: bad tag template: /,
  );
  assert.match(unknown.message, /did you mean \{\{version\}\}/);

  const noSuffix = failure([...BASE, 'tags:', "  variant: ['{{version}}']"]);
  assert.match(
    noSuffix.message,
    /^release\.yaml:6:13: tags\.variant\[0\]: .*\{\{suffix\}\}/,
  );

  const badText = failure([...BASE, 'tags:', "  base: ['{{version}}/edge']"]);
  assert.match(
    badText.message,
    /tags\.base\[0\]: .*gives "1\.2\.3\/edge", not a valid tag/,
  );
});

test('a suffix used by two variants is refused at the second variant', () => {
  const error = failure([
    ...BASE,
    'variants:',
    '  - from: alpine:3.21',
    '    suffixes: [alpine3.21, alpine]',
    '  - from: alpine:3.20',
    '    suffixes: [alpine3.20, alpine]',
  ]);
  assert.equal(
    error.message,
    'release.yaml:8:5: variants[1]: suffix "alpine" is already used by the variant at ' +
      'release.yaml:6:5',
  );
});

test('a tag claimed by the base and a variant names both images and their lines', () => {
  const error = failure([
    ...BASE,
    'tags:',
    "  base: ['{{version}}', 'edge']",
    'variants:',
    '  - from: alpine:3.21',
    '    suffixes: [edge]',
  ]);
  assert.equal(error.code, ErrorCode.TagConflict);
  assert.equal(
    error.message,
    'release.yaml:8:5: tag "edge" is claimed by two images: base (release.yaml:2:3) ' +
      'and edge (release.yaml:8:5)',
  );
});

test('YAML syntax errors, bad values and bad references carry positions too', () => {
  assert.match(failure([...BASE, 'labels: [a']).message, /^release\.yaml:\d+:\d+: /);

  const latest = failure([...BASE, 'latest: ture']);
  assert.equal(
    latest.message,
    'release.yaml:5:9: latest: "ture" is not one of auto, true, false',
  );
  assert.equal(latest.hint, 'did you mean "true"?');

  const from = failure([
    ...BASE,
    'variants:',
    '  - from: Alpine:3.21',
    '    suffixes: [a]',
  ]);
  assert.match(
    from.message,
    /^release\.yaml:6:11: variants\[0\]\.from: bad image reference/,
  );

  const order = failure([...BASE, 'order: [base, nope]']);
  assert.match(order.message, /^release\.yaml:5:8: order: "nope" is not an image/);

  const variable = failure([
    'base:',
    '  files:',
    '    - from: dist/$ARCH/x',
    '      to: /x',
  ]);
  assert.match(
    variable.message,
    /^release\.yaml:3:13: base\.files\[0\]\.from: unknown variable/,
  );
});

test('a platform map must cover every platform of the release', () => {
  const error = failure([
    'base:',
    '  files:',
    '    - from:',
    '        linux/amd64: out/x64/tool',
    '      to: /tool',
  ]);
  assert.equal(
    error.message,
    'release.yaml:4:9: base.files[0].from: no file given for linux/arm64',
  );
});

test('a repeated destination and a relative copy path are refused where written', () => {
  const twice = failure([...BASE, 'destinations: [ghcr.io/a/b, oci:./x, ghcr.io/a/b]']);
  assert.match(twice.message, /^release\.yaml:5:38: destinations\[2\]: .* listed twice/);

  const copy = failure([
    ...BASE,
    'variants:',
    '  - from: alpine:3.21',
    '    suffixes: [alpine]',
    '    copy: [/tool, tool]',
  ]);
  assert.match(
    copy.message,
    /^release\.yaml:8:19: variants\[0\]\.copy\[1\]: "tool" must be/,
  );
});

test('an empty value counts as absent; an empty quoted version is an error', () => {
  const file = parseReleaseFile([...BASE, 'version:', 'destinations:'].join('\n'));
  assert.deepEqual(file.version, {});
  assert.equal(file.destinations[0]?.name, 'oci:./gantry-release');

  const empty = failure([...BASE, 'version: ""']);
  assert.equal(empty.message, 'release.yaml:5:10: version: the version is empty');
});

test('a tag prefix or suffix that cannot be in a tag is refused where written', () => {
  const prefix = failure([...BASE, 'tags:', '  prefix: -v']);
  assert.equal(
    prefix.message,
    'release.yaml:6:11: tags.prefix: "-v" cannot be part of a tag',
  );
  const suffix = failure([...BASE, 'tags:', '  suffix: +ci']);
  assert.match(suffix.message, /^release\.yaml:6:11: tags\.suffix: /);
});

test('a missing, empty or list base names its keys in the hint', () => {
  for (const lines of [['destinations: [oci:./out]'], ['base: ~'], ['base: []']]) {
    const error = failure(lines);
    assert.match(error.message, /base: expected a mapping, found /);
    assert.match(error.hint ?? '', /^write its keys \(files, .*\) on the lines below it/);
  }
});
