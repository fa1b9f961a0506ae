import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import { makeImage, makeReferrer, pushImage, pushReferrer, tempDir } from './support.js';

// Removing a tag from a layout drops the index.json entry of that name and
// nothing else: other names of the same digest, entries without a name
// (a referrer's) and every blob stay. With an expected digest the layout
// compares under its lock and, when the tag moved, refuses and writes nothing.

const REF_NAME = 'org.opencontainers.image.ref.name';

interface Entry {
  digest: string;
  annotations?: Record<string, string>;
}

async function setUp() {
  const path = join(await tempDir(), 'layout');
  const layout = await OciLayoutTarget.open(path, { create: true });
  const a = makeImage('A');
  const b = makeImage('B');
  await pushImage(layout, a);
  await pushImage(layout, b);
  await layout.tag(a.descriptor, 'v1');
  await layout.tag(a.descriptor, 'stable');
  await layout.tag(b.descriptor, 'v2');
  // The referrer gets an entry without a name, then also a name of its own.
  const sbom = makeReferrer(a.descriptor, 'application/vnd.example.sbom', 'sbom');
  const referrer = await pushReferrer(layout, sbom, 'sbom');
  await layout.tag(referrer, 'sbom');
  return { path, layout, a, b, referrer };
}

async function entries(path: string): Promise<Entry[]> {
  const text = await readFile(join(path, 'index.json'), 'utf8');
  return (JSON.parse(text) as { manifests: Entry[] }).manifests;
}

test('untag drops the one entry and leaves every other as it was', async () => {
  const { path, layout, a } = await setUp();
  const before = await entries(path);

  const removed = await layout.untag('v1');
  assert.ok(removed.digest.equals(a.descriptor.digest));
  const left = before.filter((e) => e.annotations?.[REF_NAME] !== 'v1');
  assert.deepEqual(await entries(path), left);
  assert.deepEqual((await layout.tags()).sort(), ['sbom', 'stable', 'v2']);

  // The same digest under another name, and its blobs, are still there.
  assert.ok((await layout.resolve('stable')).digest.equals(a.descriptor.digest));
  assert.ok(await layout.exists(a.descriptor));
  assert.ok(await layout.exists(a.layer.descriptor));
});

test('untag of a referrer keeps its entry without a name', async () => {
  const { path, layout, a, referrer } = await setUp();
  await layout.untag('sbom');
  const unnamed = (await entries(path)).filter((e) => e.annotations === undefined);
  assert.deepEqual(
    unnamed.map((e) => e.digest),
    [referrer.digest.toString()],
  );
  const found = await layout.referrers(a.descriptor.digest);
  assert.deepEqual(
    found.map((d) => d.digest.toString()),
    [referrer.digest.toString()],
  );
});

test('untag with an expected digest refuses a tag that moved', async () => {
  const { path, layout, a, b } = await setUp();
  const before = await readFile(join(path, 'index.json'));
  await assert.rejects(
    layout.untag('v2', { expect: { digest: a.descriptor.digest.toString() } }),
    (error: unknown) =>
      isGantryError(error, ErrorCode.TagMoved) &&
      error.message.includes(`moved to ${b.descriptor.digest}`),
  );
  assert.deepEqual(await readFile(join(path, 'index.json')), before);

  await layout.untag('v2', { expect: { digest: b.descriptor.digest.toString() } });
  assert.deepEqual((await layout.tags()).sort(), ['sbom', 'stable', 'v1']);
});

test('untag of a missing tag is NotFound; a read-only layout refuses', async () => {
  const { path, layout } = await setUp();
  await assert.rejects(layout.untag('nope'), (error: unknown) =>
    isGantryError(error, ErrorCode.NotFound),
  );
  const readOnly = await OciLayoutTarget.open(path, { readOnly: true });
  await assert.rejects(readOnly.untag('v1'), (error: unknown) =>
    isGantryError(error, ErrorCode.Usage),
  );
  assert.ok((await layout.tags()).includes('v1'));
});
