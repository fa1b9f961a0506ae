import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseLayoutReference } from '../../src/store/transport-reference.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

// skopeo ends a layout's path at the first ":", so a ref.name it writes may
// hold ":" and "/" (`example.com/app:1.0`). gantry splits there too when the
// text before that ":" is an existing layout and the last-":" path names
// nothing; otherwise the last ":" followed by a registry tag ends the path.

const DIGEST = `sha256:${'cd'.repeat(32)}`;
let work = '';

before(() => {
  work = makeTempDir('gantry-layout-split-');
  mkdirSync(join(work, 'u'));
  writeFileSync(join(work, 'u', 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  // A folder that is no layout: the first ":" after it is part of the path.
  mkdirSync(join(work, 'plain'));
  // A layout `both` and a folder `both:x/app` next to it: the existing
  // colon path wins, as it did before.
  mkdirSync(join(work, 'both'));
  writeFileSync(join(work, 'both', 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  mkdirSync(join(work, 'both:x', 'app'), { recursive: true });
  writeFileSync(join(work, 'image.tar'), '');
});

after(() => removeTempDir(work));

test('a name after an existing layout keeps its colons and slashes', () => {
  const u = join(work, 'u');
  const cases: [string, string, string, string | undefined][] = [
    [`oci:${u}:example.com/app:1.0`, u, 'example.com/app:1.0', undefined],
    [`oci:${u}:Upper_x+y`, u, 'Upper_x+y', undefined],
    [`oci:${u}:${'a'.repeat(200)}`, u, 'a'.repeat(200), undefined],
    [`oci:${u}:example.com/app:1.0@${DIGEST}`, u, 'example.com/app:1.0', DIGEST],
    [`oci:${u}:1.0`, u, '1.0', undefined],
    [
      `oci-archive:${work}/image.tar:example.com/app:1`,
      `${work}/image.tar`,
      'example.com/app:1',
      undefined,
    ],
  ];
  for (const [text, path, tag, digest] of cases) {
    const ref = parseLayoutReference(text);
    assert.equal(ref.path, path, text);
    assert.equal(ref.tag, tag, text);
    assert.equal(ref.digest?.toString(), digest, text);
  }
});

test('elsewhere the path ends at the last colon before a registry tag', () => {
  const plain = join(work, 'plain');
  const both = join(work, 'both');
  const cases: [string, string, string | undefined][] = [
    [`oci:${plain}:example.com/app:1.0`, `${plain}:example.com/app`, '1.0'],
    [`oci:${work}/none:example.com/app:1.0`, `${work}/none:example.com/app`, '1.0'],
    [`oci:${both}:x/app:2`, `${both}:x/app`, '2'],
    [`oci:${both}:x/app`, `${both}:x/app`, undefined],
    // "-bad" is no reference name: the whole text is the path.
    [`oci:${join(work, 'u')}:-bad`, `${join(work, 'u')}:-bad`, undefined],
  ];
  for (const [text, path, tag] of cases) {
    const ref = parseLayoutReference(text);
    assert.equal(ref.path, path, text);
    assert.equal(ref.tag, tag, text);
  }
});
