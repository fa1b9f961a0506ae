import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { parseReleaseFile } from '../../src/release/file.js';
import { OCI_KEYS, releaseCreated } from '../../src/release/metadata.js';
import { planRelease } from '../../src/release/plan.js';
import { parseVersion } from '../../src/release/version.js';
import { fixture, GIT, SMALL_RELEASE, TWENTY_FOUR_VARIANTS } from './support.js';

const VERSION = parseVersion('0.7.14', 'semver');

test('every image carries the OCI keys as labels and index annotations', () => {
  const plan = planRelease(fixture(TWENTY_FOUR_VARIANTS), { version: VERSION, git: GIT });
  for (const image of plan.images) {
    for (const keys of [image.labels, image.annotations.index]) {
      assert.equal(
        keys[OCI_KEYS.version],
        image.tags[0],
        `${image.name}: version is the first tag`,
      );
      assert.equal(keys[OCI_KEYS.revision], GIT.sha);
      assert.equal(keys[OCI_KEYS.created], '2025-06-15T15:06:40Z', 'the commit time');
      assert.equal(keys[OCI_KEYS.title], 'tool');
      assert.equal(keys[OCI_KEYS.licenses], 'MIT OR Apache-2.0');
      assert.equal(keys[OCI_KEYS.source], 'https://github.com/acme/tool');
      assert.equal(keys[OCI_KEYS.url], 'https://github.com/acme/tool');
      assert.equal(keys[OCI_KEYS.description], 'A fast tool');
    }
  }
  const variant = plan.images.find((image) => image.name === 'python3.12-alpine')!;
  assert.equal(variant.labels[OCI_KEYS.version], '0.7.14-python3.12-alpine');
});

test('file labels go in every config; annotations only at their levels', () => {
  const plan = planRelease(fixture(TWENTY_FOUR_VARIANTS), { version: VERSION, git: GIT });
  const base = plan.images.find((image) => image.name === 'base')!;
  assert.equal(base.labels['com.example.team'], 'tools');
  assert.equal(
    base.labels['com.example.channel'],
    undefined,
    'annotations are not labels',
  );
  assert.equal(base.annotations.index['com.example.channel'], 'stable');
  assert.equal(base.annotations.manifest['com.example.channel'], undefined);
  assert.equal(base.annotations.manifest['com.example.build'], 'ci');
  assert.equal(
    base.annotations.manifest[OCI_KEYS.version],
    undefined,
    'metadata level: index',
  );
  assert.deepEqual(base.annotations.descriptor, {});
});

test('metadata levels put the OCI keys on manifests too; config labels win', () => {
  const text = [
    SMALL_RELEASE,
    '  - from: busybox:1.37',
    '    suffixes: [busybox]',
    '    config:',
    '      labels: { org.opencontainers.image.title: tiny }',
    'metadata:',
    '  title: tool',
    '  level: manifest',
  ].join('\n');
  const plan = planRelease(parseReleaseFile(text), { version: VERSION, git: GIT });
  const busybox = plan.images.find((image) => image.name === 'busybox')!;
  assert.equal(busybox.labels[OCI_KEYS.title], 'tiny');
  assert.equal(busybox.annotations.manifest[OCI_KEYS.title], 'tool');
  assert.equal(busybox.annotations.index[OCI_KEYS.version], '0.7.14-busybox');
  assert.deepEqual(Object.keys(busybox.labels), [...Object.keys(busybox.labels)].sort());
});

test('created: SOURCE_DATE_EPOCH, then the commit time, then now only when asked', () => {
  assert.deepEqual(releaseCreated('0', GIT, new Date(5e12)), {
    created: '1970-01-01T00:00:00Z',
  });
  assert.deepEqual(releaseCreated(undefined, GIT, undefined), {
    created: '2025-06-15T15:06:40Z',
  });
  assert.deepEqual(
    releaseCreated(undefined, undefined, new Date('2026-01-02T03:04:05.678Z')),
    {
      created: '2026-01-02T03:04:05Z',
    },
  );
  assert.ok(releaseCreated(undefined, undefined, undefined).note);
  assert.throws(
    () => releaseCreated('yesterday', GIT, undefined),
    (error) => isGantryError(error, ErrorCode.Usage),
  );
});

test('without git: no revision; the version key is still the first tag', () => {
  const plan = planRelease(parseReleaseFile(SMALL_RELEASE), {
    version: VERSION,
    sourceDateEpoch: '1700000000',
  });
  const base = plan.images.find((image) => image.name === 'base')!;
  assert.equal(base.labels[OCI_KEYS.revision], undefined);
  assert.equal(base.labels[OCI_KEYS.version], '0.7.14');
  assert.equal(base.labels[OCI_KEYS.created], '2023-11-14T22:13:20Z');
  assert.equal(plan.created, '2023-11-14T22:13:20Z');
});
