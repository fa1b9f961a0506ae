import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { Descriptor } from '../../src/oci/descriptor.js';
import { parseManifest } from '../../src/oci/manifest.js';
import { isManifestType } from '../../src/oci/mediatype.js';
import { blobPath } from '../../src/store/layout-files.js';
import { OciArchiveTarget } from '../../src/store/oci-archive.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import type { ReadTarget, WriteTarget } from '../../src/store/target.js';
import { LAYOUT_DIR, skipUnless } from '../oci/real-images.js';
import { blob, type Image, makeImage, makeIndex, pushImage, tempDir } from './support.js';

// Independent tools check what gantry writes, and gantry reads what they
// write: skopeo (containers/image) and umoci. `--preserve-digests` makes
// skopeo fail rather than change a byte of a manifest.

const SKOPEO = '/usr/bin/skopeo';
const UMOCI = '/usr/bin/umoci';
const run = promisify(execFile);
const skopeoSkip = existsSync(SKOPEO) ? false : `${SKOPEO} is absent`;
const umociSkip = existsSync(UMOCI) ? false : `${UMOCI} is absent`;

async function skopeo(...args: string[]): Promise<Buffer> {
  const options = { encoding: 'buffer' as const, maxBuffer: 16 * 1024 * 1024 };
  return (await run(SKOPEO, ['--insecure-policy', ...args], options)).stdout;
}

async function umociTags(layout: string): Promise<string[]> {
  const { stdout } = await run(UMOCI, ['ls', '--layout', layout]);
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .sort();
}

interface Written {
  one: Image;
  two: Image;
  index: Descriptor;
  indexBytes: Uint8Array;
}

/** Two images and an index of both, tagged v1, v2 and multi. */
async function writeImages(target: WriteTarget): Promise<Written> {
  const [one, two] = [makeImage('one'), makeImage('two')];
  await pushImage(target, one);
  await pushImage(target, two);
  const index = makeIndex([one.descriptor, two.descriptor]);
  const descriptor = blob(index.bytes, index.mediaType);
  await target.push(descriptor, index.bytes);
  await target.tag(one.descriptor, 'v1');
  await target.tag(two.descriptor, 'v2');
  await target.tag(descriptor, 'multi');
  return { one, two, index: descriptor, indexBytes: index.bytes };
}

async function assertResolves(target: ReadTarget, tag: string, expected: Descriptor) {
  assert.equal((await target.resolve(tag)).digest.toString(), `${expected.digest}`);
}

test('skopeo and umoci read a layout gantry wrote, digests unchanged', {
  skip: skopeoSkip || umociSkip,
}, async () => {
  const dir = await tempDir();
  const path = join(dir, 'gantry');
  const written = await writeImages(await OciLayoutTarget.open(path, { create: true }));

  const raw = await skopeo('inspect', '--raw', `oci:${path}:v1`);
  assert.deepEqual(new Uint8Array(raw), written.one.manifest.bytes);
  assert.deepEqual(
    new Uint8Array(await skopeo('inspect', '--raw', `oci:${path}:multi`)),
    written.indexBytes,
  );
  assert.deepEqual(await umociTags(path), ['multi', 'v1', 'v2']);

  const other = join(dir, 'skopeo');
  await skopeo('copy', '--preserve-digests', `oci:${path}:v2`, `oci:${other}:v2`);
  await skopeo(
    'copy',
    '--all',
    '--preserve-digests',
    `oci:${path}:multi`,
    `oci:${other}:m`,
  );
  const copied = await OciLayoutTarget.open(other, { readOnly: true });
  await assertResolves(copied, 'v2', written.two.descriptor);
  await assertResolves(copied, 'm', written.index);
});

test('skopeo reads an archive gantry wrote; tar and umoci see a layout in it', {
  skip: skopeoSkip || umociSkip,
}, async () => {
  const dir = await tempDir();
  const file = join(dir, 'images.tar');
  const archive = await OciArchiveTarget.open(file, { create: true });
  const written = await writeImages(archive);
  await archive.close();

  const raw = await skopeo('inspect', '--raw', `oci-archive:${file}:v2`);
  assert.deepEqual(new Uint8Array(raw), written.two.manifest.bytes);
  const other = join(dir, 'copied');
  const from = `oci-archive:${file}:multi`;
  await skopeo('copy', '--all', '--preserve-digests', from, `oci:${other}:multi`);
  await assertResolves(await OciLayoutTarget.open(other), 'multi', written.index);

  const unpacked = join(dir, 'unpacked');
  await mkdir(unpacked);
  await run('tar', ['-xf', file, '-C', unpacked]);
  assert.deepEqual(await umociTags(unpacked), ['multi', 'v1', 'v2']);
});

test('gantry reads byte for byte a layout skopeo copied from the buildx one', {
  skip: skopeoSkip || skipUnless(LAYOUT_DIR),
}, async () => {
  const path = join(await tempDir(), 'from-skopeo');
  const source = `oci:${LAYOUT_DIR}:v1`;
  await skopeo('copy', '--all', '--preserve-digests', source, `oci:${path}:copied`);

  const fixture = await OciLayoutTarget.open(LAYOUT_DIR, { readOnly: true });
  const layout = await OciLayoutTarget.open(path, { readOnly: true });
  const top = await layout.resolve('copied');
  assert.equal(top.digest.toString(), (await fixture.resolve('v1')).digest.toString());

  let compared = 0;
  const queue: Descriptor[] = [top];
  while (queue.length > 0) {
    const next = queue.shift()!;
    const bytes = await layout.fetchBytes(next);
    assert.deepEqual(
      bytes,
      new Uint8Array(await readFile(blobPath(LAYOUT_DIR, next.digest))),
    );
    compared++;
    if (!isManifestType(next.mediaType)) continue;
    const manifest = parseManifest(bytes, { descriptorMediaType: next.mediaType });
    if (manifest.kind === 'index') queue.push(...manifest.manifests);
    else queue.push(manifest.config, ...manifest.layers);
  }
  assert.ok(compared > 3);
});

test('skopeo writing into a gantry layout keeps gantry entries, and back', {
  skip: skopeoSkip,
}, async () => {
  const dir = await tempDir();
  const source = join(dir, 'source');
  const written = await writeImages(await OciLayoutTarget.open(source, { create: true }));
  const shared = join(dir, 'shared');
  const layout = await OciLayoutTarget.open(shared, { create: true });
  await pushImage(layout, written.one);
  await layout.tag(written.one.descriptor, 'from-gantry');

  await skopeo(
    'copy',
    '--preserve-digests',
    `oci:${source}:v2`,
    `oci:${shared}:from-skopeo`,
  );
  await layout.tag(written.one.descriptor, 'gantry-again');
  assert.deepEqual(await layout.tags(), ['from-gantry', 'from-skopeo', 'gantry-again']);
  await assertResolves(layout, 'from-skopeo', written.two.descriptor);
});
