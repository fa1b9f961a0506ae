import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { parseReleaseFile, RELEASE_FILE_KEYS } from '../../src/release/file.js';

/**
 * The annotated release file in the README is read by the real parser, so
 * the documentation cannot drift from it: every top-level key the parser
 * accepts is shown, and the values come out as the comments say.
 */

const README = join(import.meta.dirname, '..', '..', 'README.md');
const HEADING = '### A release file, annotated';

function readmeExample(): string {
  const text = readFileSync(README, 'utf8');
  const section = text.slice(text.indexOf(HEADING));
  const match = /```yaml\n([\s\S]*?)```/.exec(section);
  assert.ok(text.includes(HEADING) && match !== null, 'the README lost its example');
  return match[1]!;
}

test('the README release file example shows every key and parses', () => {
  const text = readmeExample();
  const keys = Object.keys(parseDocument(text).toJS() as Record<string, unknown>);
  assert.deepEqual([...keys].sort(), [...RELEASE_FILE_KEYS].sort());

  const file = parseReleaseFile(text, 'README.md');
  assert.deepEqual(file.version, { env: 'APP_VERSION' });
  assert.equal(file.scheme, 'semver');
  assert.deepEqual(
    file.destinations.map((d) => d.kind),
    ['registry', 'layout'],
  );
  assert.deepEqual(file.base.files[0]!.from, {
    'linux/amd64': 'dist/linux-amd64/app',
    'linux/arm64': 'dist/linux-arm64/app',
  });
  assert.deepEqual(Object.keys(file.base.config).sort(), [
    'cmd',
    'entrypoint',
    'env',
    'labels',
    'user',
    'workdir',
  ]);
  const variant = file.variants[0]!;
  assert.equal(variant.from, 'docker.io/library/debian:12-slim');
  assert.deepEqual(variant.suffixes, ['debian12', 'debian']);
  assert.deepEqual(variant.copy, ['/usr/local/bin/app']);
  assert.equal(variant.config.workdir, '/srv');
  assert.deepEqual(
    file.annotations.map((a) => a.levels),
    [['index'], ['index', 'manifest', 'descriptor']],
  );
  assert.deepEqual(file.metadata.levels, ['index', 'manifest']);
  assert.equal(file.metadata.licenses, 'MIT');
  assert.deepEqual([file.tags.prefix, file.tags.suffix], ['v', '-r1']);
  assert.equal(file.tags.variant.length, 3);
  assert.equal(file.latest, 'auto');
  assert.equal(file.order, 'base-last');
  assert.deepEqual(file.attestations, { provenance: true, sbom: false, mode: 'index' });
});
