import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { pack } from 'tar-stream';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { indexArchive } from '../../src/store/archive-index.js';
import { OciArchiveTarget } from '../../src/store/oci-archive.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import { ARCHIVE_FILE, skipUnless } from '../oci/real-images.js';
import { makeImage, pushImage, readAll, tempDir } from './support.js';

// OCI archives: read from their place in the tar whoever wrote it, written
// the same way every time, rewritten without losing what was there, and
// refused when an entry would land outside the layout.

const run = promisify(execFile);
const code = (expected: string) => (error: unknown) =>
  isGantryError(error) && error.code === expected;

async function writeArchive(file: string, seeds: string[]): Promise<void> {
  const archive = await OciArchiveTarget.open(file, { create: true });
  for (const seed of seeds) {
    const image = makeImage(seed);
    await pushImage(archive, image);
    await archive.tag(image.descriptor, seed);
  }
  await archive.close();
}

test('the same images give the same archive bytes, in a fixed entry order', async () => {
  const dir = await tempDir();
  await writeArchive(join(dir, 'first.tar'), ['a', 'b']);
  await writeArchive(join(dir, 'second.tar'), ['a', 'b']);
  const first = await readFile(join(dir, 'first.tar'));
  assert.deepEqual(first, await readFile(join(dir, 'second.tar')));

  const names = [...(await indexArchive(join(dir, 'first.tar'))).keys()];
  assert.deepEqual(names.slice(0, 2), ['oci-layout', 'index.json']);
  const blobs = names.slice(2);
  assert.equal(blobs.length, 6);
  assert.deepEqual(blobs, [...blobs].sort());
  const { stdout } = await run('tar', ['-tvf', join(dir, 'first.tar')]);
  for (const line of stdout.trim().split('\n'))
    assert.match(line, / 0\/0 .* 1970-01-01 /);
});

test('a tar made by GNU tar from a layout folder reads in place', async () => {
  const dir = await tempDir();
  const layoutPath = join(dir, 'layout');
  const layout = await OciLayoutTarget.open(layoutPath, { create: true });
  const image = makeImage('gnu');
  await pushImage(layout, image);
  await layout.tag(image.descriptor, 'gnu');
  const file = join(dir, 'gnu.tar');
  await run('tar', ['-C', layoutPath, '-cf', file, '.']);

  const archive = await OciArchiveTarget.open(file, { readOnly: true });
  assert.deepEqual(await archive.tags(), ['gnu']);
  const resolved = await archive.resolve('gnu');
  assert.deepEqual(await archive.fetchBytes(resolved), image.manifest.bytes);
  assert.deepEqual(
    await readAll(await archive.fetch(image.layer.descriptor)),
    image.layer.bytes,
  );
  await archive.close();
});

test('writing into an existing archive keeps every entry it had', {
  skip: skipUnless(ARCHIVE_FILE),
}, async () => {
  const file = join(await tempDir(), 'buildkit.tar');
  await copyFile(ARCHIVE_FILE, file);
  const before = await indexArchive(file);
  const archive = await OciArchiveTarget.open(file);
  const [root] = (await archive.readIndex()).entries;
  const image = makeImage('added');
  await pushImage(archive, image);
  await archive.tag(image.descriptor, 'added');
  await archive.close();

  const after = await OciArchiveTarget.open(file, { readOnly: true });
  const entries = (await after.readIndex()).entries;
  assert.deepEqual(entries[0]!.json, root!.json);
  assert.equal(
    (await after.resolve('added')).digest.toString(),
    `${image.descriptor.digest}`,
  );
  const names = new Set((await indexArchive(file)).keys());
  for (const name of before.keys()) assert.ok(names.has(name), name);
  await after.fetchBytes(root!.descriptor);
  await after.close();
});

test('entries that leave the layout, links and non-tars are refused', async () => {
  const dir = await tempDir();
  const cases: [string, object][] = [
    ['parent', { name: '../evil', type: 'file' }],
    ['nested', { name: 'blobs/../../evil', type: 'file' }],
    ['absolute', { name: '/etc/evil', type: 'file' }],
    ['symlink', { name: 'blobs/link', type: 'symlink', linkname: '/etc/passwd' }],
  ];
  for (const [label, header] of cases) {
    const file = join(dir, `${label}.tar`);
    await writeFile(file, await tarOf([{ name: 'oci-layout', type: 'file' }, header]));
    await assert.rejects(
      OciArchiveTarget.open(file),
      (error: unknown) => refusedEntry(error),
      label,
    );
  }

  const noLayout = join(dir, 'no-layout.tar');
  await writeFile(noLayout, await tarOf([{ name: 'index.json', type: 'file' }]));
  await assert.rejects(OciArchiveTarget.open(noLayout), code(ErrorCode.InvalidArchive));
  const notTar = join(dir, 'not.tar');
  await writeFile(notTar, 'this is not a tar file at all, not even close'.repeat(20));
  await assert.rejects(OciArchiveTarget.open(notTar), code(ErrorCode.InvalidArchive));
});

test('pushes racing into one archive all land in the written tar', async () => {
  const file = join(await tempDir(), 'race.tar');
  const archive = await OciArchiveTarget.open(file, { create: true });
  const images = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map(makeImage);
  await Promise.all(images.map((image) => pushImage(archive, image)));
  await Promise.all(images.map((image, i) => archive.tag(image.descriptor, `r${i}`)));
  await archive.close();

  const reader = await OciArchiveTarget.open(file, { readOnly: true });
  assert.equal((await reader.tags()).length, images.length);
  for (const image of images) {
    assert.deepEqual(await reader.fetchBytes(image.layer.descriptor), image.layer.bytes);
  }
  await reader.close();
});

test('a closed archive refuses further use; a missing one is NotFound', async () => {
  const dir = await tempDir();
  await assert.rejects(
    OciArchiveTarget.open(join(dir, 'absent.tar')),
    code(ErrorCode.NotFound),
  );
  const archive = await OciArchiveTarget.open(join(dir, 'new.tar'), { create: true });
  await archive.close();
  await archive.close();
  await assert.rejects(archive.tags(), code(ErrorCode.Usage));
  const reopened = await OciArchiveTarget.open(join(dir, 'new.tar'), { readOnly: true });
  assert.deepEqual(await reopened.tags(), []);
  await reopened.close();
});

function refusedEntry(error: unknown): boolean {
  return code(ErrorCode.InvalidArchive)(error) && /refused the entry/.test(`${error}`);
}

/** A tar of small entries whose content is `{}` (headers are what matter). */
async function tarOf(headers: object[]): Promise<Buffer> {
  const tar = pack();
  for (const header of headers) {
    const h = header as { type: string };
    tar.entry({ name: '', ...header }, h.type === 'file' ? '{}' : '');
  }
  tar.finalize();
  const parts: Buffer[] = [];
  for await (const chunk of tar) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}
