import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import { makeImage, pushImage, tempDir } from './support.js';

// A tag write may carry the digest its writer expects the tag to name now
// (undefined: the tag must not exist). The layout compares under its lock
// and, when another writer moved the tag meanwhile, refuses and writes nothing.

const moved = (error: unknown) => isGantryError(error, ErrorCode.TagMoved);

async function setUp() {
  const path = join(await tempDir(), 'layout');
  const layout = await OciLayoutTarget.open(path, { create: true });
  const a = makeImage('A');
  const b = makeImage('B');
  await pushImage(layout, a);
  await pushImage(layout, b);
  return { path, layout, a, b };
}

test('a tag expected absent is written once, then refused', async () => {
  const { path, layout, a, b } = await setUp();
  await layout.tag(a.descriptor, 'latest', { expect: { digest: undefined } });
  const before = await readFile(join(path, 'index.json'));

  await assert.rejects(
    layout.tag(b.descriptor, 'latest', { expect: { digest: undefined } }),
    (error: unknown) =>
      moved(error) &&
      (error as Error).message.includes(`moved to ${a.descriptor.digest}`) &&
      (error as Error).message.includes('expected no such tag'),
  );
  assert.deepEqual(await readFile(join(path, 'index.json')), before);
  assert.ok((await layout.resolve('latest')).digest.equals(a.descriptor.digest));
});

test('a move is written only from the digest the writer saw', async () => {
  const { layout, a, b } = await setUp();
  await layout.tag(a.descriptor, 'v1');
  const seen = a.descriptor.digest.toString();

  await layout.tag(b.descriptor, 'v1', { expect: { digest: seen } });
  assert.ok((await layout.resolve('v1')).digest.equals(b.descriptor.digest));

  // The tag now names B: a writer that still believes it names A is refused.
  await assert.rejects(
    layout.tag(a.descriptor, 'v1', { expect: { digest: seen } }),
    moved,
  );
  assert.ok((await layout.resolve('v1')).digest.equals(b.descriptor.digest));
});

test('a tag expected to exist that was removed is refused', async () => {
  const { layout, a } = await setUp();
  const expect = { digest: a.descriptor.digest.toString() };
  await assert.rejects(
    layout.tag(a.descriptor, 'gone', { expect }),
    (error: unknown) => moved(error) && (error as Error).message.includes('nothing'),
  );
  assert.deepEqual(await layout.tags(), []);
});

test('without expect a tag is written whatever it named', async () => {
  const { layout, a, b } = await setUp();
  await layout.tag(a.descriptor, 'x');
  await layout.tag(b.descriptor, 'x');
  assert.ok((await layout.resolve('x')).digest.equals(b.descriptor.digest));
});
