import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { getRegistries } from '../harness/registries.js';
import { uniqueRepository } from './support.js';

/**
 * Archives and the build's metadata file written into a folder that does
 * not exist make it, as an `oci:` layout does (mkdir -p). A path whose
 * parent is a file is refused with GANTRY_E_OUTPUT_WRITE naming it, never
 * as an internal error; for --metadata-file before anything is built or
 * pushed.
 */
let root = '';
let layout = '';
const PLATFORM = ['--platform', 'linux/amd64'];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gantry-nodir-'));
  await writeFile(join(root, 'Dockerfile'), 'FROM scratch\nCOPY a /a\n');
  await writeFile(join(root, 'a'), 'a\n');
  await writeFile(join(root, 'file'), 'not a folder\n');
  layout = join(root, 'layout');
  const built = await runGantry([
    'build',
    ...PLATFORM,
    '--output',
    `oci:${layout}:x`,
    root,
  ]);
  assert.equal(built.code, 0, built.stderr);
});
after(async () => {
  if (root !== '') await rm(root, { recursive: true, force: true });
});

async function isFile(path: string): Promise<boolean> {
  return (await stat(path)).isFile();
}

describe('outputs into a folder that does not exist', () => {
  it('build --output oci-archive: and docker-archive: make the folders', async () => {
    const oci = join(root, 'nodir', 'deeper', 'arc.tar');
    const docker = join(root, 'nodir3', 'a.tar');
    const first = await runGantry([
      'build',
      ...PLATFORM,
      '--output',
      `oci-archive:${oci}:two`,
      root,
    ]);
    const second = await runGantry([
      'build',
      ...PLATFORM,
      '--output',
      `docker-archive:${docker}`,
      '--tag',
      'x/y:1',
      root,
    ]);

    assert.equal(first.code, 0, first.stderr);
    assert.equal(second.code, 0, second.stderr);
    assert.ok(await isFile(oci));
    assert.ok(await isFile(docker));
  });

  it('copy to oci-archive: and docker-archive: makes the folders', async () => {
    const oci = join(root, 'nodir4', 'a.tar');
    const docker = join(root, 'nodir6', 'a.tar');
    const first = await runGantry(['copy', `oci:${layout}:x`, `oci-archive:${oci}:x`]);
    const second = await runGantry([
      'copy',
      `oci:${layout}:x`,
      `docker-archive:${docker}:x/y:1`,
    ]);
    const back = await runGantry(['digest', `oci-archive:${oci}:x`]);
    const want = await runGantry(['digest', `oci:${layout}:x`]);

    assert.equal(first.code, 0, first.stderr);
    assert.equal(second.code, 0, second.stderr);
    assert.ok(await isFile(docker));
    assert.equal(back.stdout, want.stdout);
  });

  it('an archive under a file is refused naming the file', async () => {
    const result = await runGantry([
      'copy',
      `oci:${layout}:x`,
      `oci-archive:${join(root, 'file', 'a.tar')}:x`,
    ]);

    assert.equal(result.code, 1);
    assert.match(result.stderr, /GANTRY_E_OUTPUT_WRITE/);
    assert.match(result.stderr, /destination: cannot write the archive .*file\/a\.tar: /);
    assert.ok(result.stderr.includes(`${join(root, 'file')} is a file, not a folder`));
    assert.doesNotMatch(result.stderr, /INTERNAL|bug in gantry/);
  });

  it('a named docker archive under a file is refused naming the file too', async () => {
    const output = `docker-archive:${join(root, 'file', 'q.tar')}:example.com/n:t`;
    const result = await runGantry(['build', ...PLATFORM, '--output', output, root]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /GANTRY_E_OUTPUT_WRITE/);
    assert.ok(result.stderr.includes(`${join(root, 'file')} is a file, not a folder`));
    assert.doesNotMatch(result.stderr, /INTERNAL|bug in gantry/);
  });
});

describe('build --push-by-digest --metadata-file into a missing folder', () => {
  let repository = '';
  before(async () => {
    repository = uniqueRepository((await getRegistries()).plain, 'nodir-metadata');
  });

  it('makes the folder and writes the records there', async () => {
    const metadata = join(root, 'nodir5', 'deeper', 'm.json');
    const result = await runGantry([
      'build',
      ...PLATFORM,
      '--push-by-digest',
      repository,
      '--metadata-file',
      metadata,
      root,
    ]);

    assert.equal(result.code, 0, result.stderr);
    const records = JSON.parse(await readFile(metadata, 'utf8')) as {
      platform: string;
    }[];
    assert.deepEqual(
      records.map((record) => record.platform),
      ['linux/amd64'],
    );
  });

  it('naming a folder, is refused before anything is built or pushed', async () => {
    for (const metadata of [root, `${join(root, 'newmd')}/`]) {
      const result = await runGantry([
        'build',
        ...PLATFORM,
        '--no-cache',
        '--push-by-digest',
        repository,
        '--metadata-file',
        metadata,
        root,
      ]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /cannot write the metadata file .*: it names a folder/);
      assert.doesNotMatch(result.stderr, /layer sha256|built|pushed/);
    }
  });

  it('under a file, is refused before anything is built or pushed', async () => {
    const metadata = join(root, 'file', 'm.json');
    const result = await runGantry([
      'build',
      ...PLATFORM,
      '--no-cache',
      '--push-by-digest',
      repository,
      '--metadata-file',
      metadata,
      root,
    ]);

    assert.equal(result.code, 1);
    assert.match(result.stderr, /GANTRY_E_OUTPUT_WRITE: cannot write the metadata file /);
    assert.ok(result.stderr.includes(`${join(root, 'file')} is a file, not a folder`));
    assert.doesNotMatch(result.stderr, /layer sha256|built|pushed/);
  });
});
