import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareVersions, versionInAnnotation } from '../../src/release/plan-hold.js';
import { parseVersion } from '../../src/release/version.js';

/**
 * The pure half of holding floating tags: the version a current image's
 * annotation names is read in the shape of this release's own annotation
 * (base `0.28.3`, variant `0.28.3-busybox`, a `v` prefix), and compared in
 * the release's scheme.
 */

const semver = (text: string) => parseVersion(text, 'semver');
const pep440 = (text: string) => parseVersion(text, 'pep440');

test('the version sits where the release version sits in its own annotation', () => {
  const release = semver('0.28.3');
  assert.equal(versionInAnnotation('0.29.0', '0.28.3', release)?.normalized, '0.29.0');
  const variant = versionInAnnotation('0.29.0-busybox', '0.28.3-busybox', release);
  assert.equal(variant?.normalized, '0.29.0');
  const rc = versionInAnnotation('1.0.0-rc.1-busybox', '0.28.3-busybox', release);
  assert.equal(rc?.normalized, '1.0.0-rc.1');
  assert.equal(versionInAnnotation('v0.30.1', 'v0.28.3', release)?.normalized, '0.30.1');
});

test('another shape or no version is not read', () => {
  const release = semver('0.28.3');
  assert.equal(
    versionInAnnotation('0.29.0-alpine', '0.28.3-busybox', release),
    undefined,
  );
  assert.equal(versionInAnnotation('-busybox', '0.28.3-busybox', release), undefined);
  assert.equal(versionInAnnotation('nightly', '0.28.3', release), undefined);
  assert.equal(versionInAnnotation('0.29.0', 'latest', release), undefined);
});

test('SemVer and PEP 440 order as their specs say', () => {
  assert.ok(compareVersions(semver('0.29.0'), semver('0.28.3')) > 0);
  assert.ok(compareVersions(semver('1.0.0-rc.1'), semver('1.0.0')) < 0);
  assert.equal(compareVersions(semver('1.2.3'), semver('v1.2.3')), 0);
  assert.ok(compareVersions(pep440('1.10'), pep440('1.9.post1')) > 0);
  assert.ok(compareVersions(pep440('2.0rc1'), pep440('2.0')) < 0);
  assert.ok(compareVersions(pep440('1!0.1'), pep440('2.0')) > 0, 'an epoch wins');
  const found = versionInAnnotation('1.3.post1-slim', '1.2.3-slim', pep440('1.2.3'));
  assert.equal(found?.normalized, '1.3.post1');
});
