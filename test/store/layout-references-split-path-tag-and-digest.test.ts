import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import {
  formatLayoutReference,
  isLayoutReference,
  parseLayoutReference,
} from '../../src/store/transport-reference.js';

// `oci:PATH[:tag]`, `oci-archive:FILE[:tag]` and `@digest`: the path ends at
// the last ":" only when a valid tag follows it.

const DIGEST = `sha256:${'ab'.repeat(32)}`;

const cases: [string, string, string, string | undefined, string | undefined][] = [
  ['oci:/data/layout', 'oci', '/data/layout', undefined, undefined],
  ['oci:/data/layout:v1.2_x-y', 'oci', '/data/layout', 'v1.2_x-y', undefined],
  ['oci:relative/dir:latest', 'oci', 'relative/dir', 'latest', undefined],
  ['oci-archive:out/image.tar:1.0', 'oci-archive', 'out/image.tar', '1.0', undefined],
  ['oci-archive:image.tar', 'oci-archive', 'image.tar', undefined, undefined],
  // A ":" inside the path, followed by a "/", is part of the path.
  ['oci:/data/a:b/layout', 'oci', '/data/a:b/layout', undefined, undefined],
  ['oci:/data/a:b/layout:v2', 'oci', '/data/a:b/layout', 'v2', undefined],
  // What follows the last ":" is no tag (starts with "-"): all of it is the path.
  ['oci:/data/odd:-x', 'oci', '/data/odd:-x', undefined, undefined],
  [`oci:/data/layout@${DIGEST}`, 'oci', '/data/layout', undefined, DIGEST],
  [`oci:/data/layout:v1@${DIGEST}`, 'oci', '/data/layout', 'v1', DIGEST],
];

test('paths, tags and digests are split as documented', () => {
  for (const [text, transport, path, tag, digest] of cases) {
    const ref = parseLayoutReference(text);
    assert.equal(ref.transport, transport, text);
    assert.equal(ref.path, path, text);
    assert.equal(ref.tag, tag, text);
    assert.equal(ref.digest?.toString(), digest, text);
    assert.equal(formatLayoutReference(ref), text);
    assert.equal(isLayoutReference(text), true);
  }
});

test('other transports, empty paths and empty tags are refused', () => {
  for (const text of ['docker://alpine', 'alpine:3', 'oci:', 'oci::v1', 'oci:/dir:']) {
    assert.throws(
      () => parseLayoutReference(text),
      (error: unknown) => isGantryError(error, ErrorCode.InvalidReference),
      text,
    );
  }
  assert.equal(isLayoutReference('ocifoo:/x'), false);
});
