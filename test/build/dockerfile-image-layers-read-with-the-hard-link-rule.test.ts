import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyLayer } from '../../src/build/dockerfile-image-tree.js';
import { MapTree } from '../../src/build/dockerfile-tree.js';
import { encodeHeader, TypeFlag } from '../../src/build/index.js';
import { tempDir } from './support.js';

/**
 * Reading image layers into a file tree for `COPY --from` an image:
 * entries replace paths, whiteouts hide lower paths, and hard links keep
 * the content their target had when the link was written, even when a
 * later layer overwrites the target's name (field case BR-24, both tar
 * encodings of the linking layer).
 */
type Entry = { name: string; content?: string; link?: string; dir?: boolean };

function tar(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.content ?? '');
    const typeflag =
      entry.link !== undefined
        ? TypeFlag.HardLink
        : entry.dir
          ? TypeFlag.Directory
          : TypeFlag.File;
    const header = { name: entry.name, typeflag, mode: 0o644, uid: 0, gid: 0, mtime: 0 };
    parts.push(
      encodeHeader({
        ...header,
        size: typeflag === TypeFlag.File ? body.length : 0,
        ...(entry.link === undefined ? {} : { linkname: entry.link }),
      }),
    );
    if (typeflag === TypeFlag.File) {
      parts.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  return Buffer.concat([...parts, Buffer.alloc(1024)]);
}

async function flatten(layers: Entry[][]): Promise<Record<string, string>> {
  const folder = await tempDir('gantry-image-tree-');
  const tree = new MapTree('test image', true);
  const files = { folder, count: 0 };
  for (const [index, entries] of layers.entries()) {
    const path = join(folder, `layer-${index}.tar`);
    await writeFile(path, tar(entries));
    await applyLayer(tree, path, `layer ${index}`, files);
  }
  const result: Record<string, string> = {};
  for (const path of tree.paths()) {
    const node = tree.get(path);
    if (node?.type === 'file') result[path] = await readFile(node.source, 'utf8');
    else if (path !== '') result[path] = node?.type ?? '?';
  }
  return result;
}

const L1 = [{ name: 't2', content: '123 -\n' }];
const L3 = [{ name: 't1', content: '456 -\n' }];
const EXPECTED = { t1: '456 -\n', t2: '123 -\n', t3: '123 -\n' };

describe('image layers read into a file tree', () => {
  it('BR-24: links written against t1 keep the old content (L2a)', async () => {
    const L2a = [
      { name: 't1', content: '123 -\n' },
      { name: 't2', link: 't1' },
      { name: 't3', link: 't1' },
    ];
    assert.deepEqual(await flatten([L1, L2a, L3]), EXPECTED);
  });

  it('BR-24: links written against t2 keep the old content (L2b)', async () => {
    const L2b = [
      { name: 't2', content: '123 -\n' },
      { name: 't1', link: 't2' },
      { name: 't3', link: 't2' },
    ];
    assert.deepEqual(await flatten([L1, L2b, L3]), EXPECTED);
  });

  it('applies whiteouts and opaque whiteouts to lower layers only', async () => {
    const lower = [
      { name: 'etc/', dir: true },
      { name: 'etc/a', content: 'a' },
      { name: 'etc/b', content: 'b' },
      { name: 'opt/', dir: true },
      { name: 'opt/x', content: 'x' },
      { name: 'gone', content: 'g' },
    ];
    const upper = [
      { name: 'etc/new', content: 'n' },
      { name: 'etc/.wh..wh..opq' },
      { name: '.wh.gone' },
      { name: 'opt/.wh.x' },
    ];
    assert.deepEqual(await flatten([lower, upper]), {
      etc: 'directory',
      'etc/new': 'n',
      opt: 'directory',
    });
  });

  it('refuses a hard link to a path that holds no file', async () => {
    await assert.rejects(flatten([[{ name: 'a', link: 'missing' }]]), {
      code: 'GANTRY_E_ARCHIVE',
      message: /hard link a points at "missing"/,
    });
  });
});
