import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { applyLayer } from '../../src/build/dockerfile-image-tree.js';
import { MapTree } from '../../src/build/dockerfile-tree.js';
import { readTarEntries, tarSourceFromBytes } from '../../src/build/tar-read.js';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { anyBytes, assertGantryError, onlyGantryErrorsAsync, tried } from './support.js';

/**
 * Layers and build inputs are tars from registries and users. Random bytes
 * and headers with random fields are read or refused with a GantryError,
 * never hang (each entry moves forward); an image layer entry whose path
 * climbs out of the root with ".." is refused, and no entry (absolute, or
 * below a symlink leading outside) puts a file outside the build's folder.
 */

after(() => console.log(`fuzz: tar headers: ${tried.inputs} inputs tried`));

/** Most entries a hostile tar of at most a few KiB can hold. */
const MAX_ENTRIES = 64;

interface HeaderFields {
  name: string;
  typeflag: string;
  size: string;
  linkname: string;
  mode: string;
  magic: string;
}

/** One ustar header with a correct checksum over whatever the fields say. */
function header(fields: HeaderFields): Buffer {
  const block = Buffer.alloc(512);
  block.write(fields.name, 0, 100, 'latin1');
  block.write(fields.mode, 100, 8, 'latin1');
  block.write('0000000\0', 108);
  block.write('0000000\0', 116);
  block.write(fields.size, 124, 12, 'latin1');
  block.write('00000000000\0', 136);
  block.write('        ', 148);
  block.write(fields.typeflag, 156, 1, 'latin1');
  block.write(fields.linkname, 157, 100, 'latin1');
  block.write(fields.magic, 257, 8, 'latin1');
  const sum = block.reduce((total, byte) => total + byte, 0);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

const octal = (n: number) => `${n.toString(8).padStart(11, '0')}\0`;
const headerFields: fc.Arbitrary<HeaderFields> = fc.record({
  name: fc.oneof(
    fc.constantFrom('a', 'dir/', './b', '/abs', 'x/y/z', 'path=1'),
    fc.string({ maxLength: 100 }),
  ),
  typeflag: fc.oneof(
    fc.constantFrom('0', '1', '2', '5', 'x', 'g', 'L', 'K', '\0', '7'),
    fc.string({ minLength: 1, maxLength: 1 }),
  ),
  size: fc.oneof(
    fc.integer({ min: 0, max: 2048 }).map(octal),
    fc.constantFrom(
      '77777777777\0',
      '\x80\0\0\0\0\0\0\0\0\0\x10\0',
      '\xff'.repeat(12),
      '9',
    ),
    fc.string({ maxLength: 12 }),
  ),
  linkname: fc.string({ maxLength: 40 }),
  mode: fc.oneof(fc.constant('0000644\0'), fc.string({ maxLength: 8 })),
  magic: fc.constantFrom('ustar\x0000', 'ustar  \0', ''),
});

/** A tar of random headers, each followed by some random data blocks. */
const hostileTar = fc
  .array(fc.tuple(headerFields, fc.uint8Array({ maxLength: 1024 })), { maxLength: 4 })
  .map((parts) =>
    Buffer.concat(parts.flatMap(([fields, data]) => [header(fields), data])),
  );

async function readAll(bytes: Uint8Array): Promise<number> {
  let count = 0;
  for await (const _ of readTarEntries(tarSourceFromBytes(bytes), 'fuzzed tar')) {
    count++;
    assert.ok(count <= MAX_ENTRIES, 'more entries than the bytes can hold: a loop');
  }
  return count;
}

test('readTarEntries refuses random bytes and hostile headers only with gantry errors', async () => {
  await onlyGantryErrorsAsync('readTarEntries', anyBytes, readAll);
  await onlyGantryErrorsAsync('readTarEntries', hostileTar, readAll);
});

/** A layer of ustar entries with the given names, types and link targets. */
function layer(entries: { name: string; typeflag: string; link?: string }[]): Buffer {
  const blocks = entries.map(({ name, typeflag, link }) =>
    header({
      name,
      typeflag,
      size: octal(0),
      linkname: link ?? '',
      mode: '0000644\0',
      magic: 'ustar\x0000',
    }),
  );
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

async function unpack(layers: Buffer[]): Promise<{ tree: MapTree; folder: string }> {
  const folder = await mkdtemp(join(tmpdir(), 'gantry-fuzz-tree-'));
  after(() => rm(folder, { recursive: true, force: true }));
  const tree = new MapTree('fuzzed image', true);
  const files = { folder, count: 0 };
  for (const [index, bytes] of layers.entries()) {
    const path = join(folder, `layer-${index}.tar`);
    await writeFile(path, bytes);
    await applyLayer(tree, path, `layer ${index}`, files);
  }
  return { tree, folder };
}

test('an image layer entry that climbs out with ".." is refused', async () => {
  for (const name of ['../evil', 'a/../../evil', './../evil', 'a/..', '..']) {
    await assert.rejects(
      unpack([layer([{ name, typeflag: '0' }])]),
      (error) => {
        assertGantryError(error, name);
        return (
          isGantryError(error, ErrorCode.InvalidArchive) && error.message.includes('..')
        );
      },
      name,
    );
  }
});

test('a hard link in an image layer whose target climbs out is refused', async () => {
  const bytes = layer([{ name: 'link', typeflag: '1', link: '../../etc/passwd' }]);
  await assert.rejects(unpack([bytes]), (error) => isGantryError(error));
});

test('absolute names and symlinks leading outside keep every file inside', async () => {
  const { tree, folder } = await unpack([
    layer([
      { name: '/abs', typeflag: '0' },
      { name: 'out', typeflag: '2', link: '../../../../etc' },
    ]),
    layer([{ name: 'out/passwd', typeflag: '0' }]),
  ]);
  assert.deepEqual(
    tree
      .paths()
      .filter((p) => p !== '')
      .sort(),
    ['abs', 'out', 'out/passwd'],
  );
  for (const path of tree.paths()) {
    const node = tree.get(path);
    if (node?.type === 'file') assert.ok(node.source.startsWith(`${folder}/`), path);
  }
});
