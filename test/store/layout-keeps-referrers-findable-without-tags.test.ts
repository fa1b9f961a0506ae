import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { AnnotationKey } from '../../src/oci/descriptor.js';
import { OciArchiveTarget } from '../../src/store/oci-archive.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import { makeImage, makeReferrer, pushImage, pushReferrer, tempDir } from './support.js';

// A layout lists its manifests only in index.json, so a pushed manifest
// with a `subject` gets an entry there without a name (as regclient writes
// them): found by referrers lookups, never by a tag, and written once.

test('a pushed referrer gets one unnamed index.json entry and no tag', async () => {
  const path = join(await tempDir(), 'layout');
  const layout = await OciLayoutTarget.open(path, { create: true });
  const image = makeImage('subject');
  await pushImage(layout, image);
  const sbom = makeReferrer(image.descriptor, 'application/example.sbom', 'sbom');
  const pushed = await pushReferrer(layout, sbom, 'sbom');
  await pushReferrer(layout, sbom, 'sbom');

  const index = JSON.parse(await readFile(join(path, 'index.json'), 'utf8')) as {
    manifests: { digest: string; artifactType?: string; annotations?: object }[];
  };
  assert.equal(index.manifests.length, 1);
  assert.equal(index.manifests[0]!.digest, `${pushed.digest}`);
  assert.equal(index.manifests[0]!.artifactType, 'application/example.sbom');
  assert.equal(index.manifests[0]!.annotations, undefined);
  assert.deepEqual(await layout.tags(), []);

  // The plain image manifest (no subject) got no entry.
  const reopened = await OciLayoutTarget.open(path, { readOnly: true });
  const found = await reopened.referrers(image.descriptor.digest);
  assert.deepEqual(
    found.map((d) => `${d.digest}`),
    [`${pushed.digest}`],
  );
});

test('tagging a referrer later names its entry instead of adding one', async () => {
  const path = join(await tempDir(), 'layout');
  const layout = await OciLayoutTarget.open(path, { create: true });
  const image = makeImage('subject');
  await pushImage(layout, image);
  const sig = makeReferrer(image.descriptor, 'application/example.sig', 'sig');
  const pushed = await pushReferrer(layout, sig, 'sig');
  await layout.tag(pushed, 'signature');

  const { entries } = await layout.readIndex();
  assert.equal(entries.length, 2);
  assert.deepEqual(
    entries.map((e) => e.descriptor.annotations?.[AnnotationKey.RefName]),
    [undefined, 'signature'],
  );
  assert.equal((await layout.referrers(image.descriptor.digest)).length, 1);
});

test('an archive keeps referrers the same way, across close and open', async () => {
  const file = join(await tempDir(), 'archive.tar');
  const archive = await OciArchiveTarget.open(file, { create: true });
  const image = makeImage('subject');
  await pushImage(archive, image);
  await archive.tag(image.descriptor, 'image');
  const sbom = makeReferrer(image.descriptor, 'application/example.sbom', 'sbom');
  const pushed = await pushReferrer(archive, sbom, 'sbom');
  await archive.close();

  const reader = await OciArchiveTarget.open(file, { readOnly: true });
  const found = await reader.referrers(image.descriptor.digest);
  assert.deepEqual(
    found.map((d) => `${d.digest}`),
    [`${pushed.digest}`],
  );
  assert.deepEqual(await reader.tags(), ['image']);
  await reader.close();
});
