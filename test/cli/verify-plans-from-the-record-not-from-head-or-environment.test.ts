import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedImage } from '../harness/images.js';
import { type RunningRegistry, startRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { gantryIn, git, gitRelease, readRecord } from './release-record-support.js';
import { ref, seedingClient } from './support.js';

/**
 * Through the built CLI, in a git repository: a release made with
 * SOURCE_DATE_EPOCH set and `--to` a registry repository and an OCI layout
 * (not the file's destination) verifies clean from its record after a new
 * commit and with SOURCE_DATE_EPOCH changed or empty, without `--to`; a tag
 * moved in the registry still fails it.
 */
const RELEASE_EPOCH = '1700000000';
const RELEASE_CREATED = '2023-11-14T22:13:20Z';
let registry: RunningRegistry;
let work = '';
let repo = '';

before(async () => {
  registry = await startRegistry('plain');
  work = makeTempDir('gantry-verify-record-');
  repo = `${registry.host}/rec/tool`;
  // The file's own destination is never written: --to replaces it.
  await gitRelease(work, `${registry.host}/never/used`);
});

after(async () => {
  await registry?.stop();
  if (work !== '') removeTempDir(work);
});

const VERIFY = ['verify', '--record', 'gantry-release-record.json', 'release.yaml'];

describe('gantry verify of a release, from its record', () => {
  let sha = '';

  it('releases with SOURCE_DATE_EPOCH to a registry and a layout (--to)', async () => {
    sha = git(work, 'rev-parse', 'HEAD');
    const args = ['release', '--version', 'v1.2.0', '--to', repo, '--to', 'oci:out'];
    const run = await gantryIn(work, [...args, 'release.yaml'], {
      SOURCE_DATE_EPOCH: RELEASE_EPOCH,
    });
    assert.equal(run.code, 0, run.stderr);

    const record = await readRecord(join(work, 'gantry-release-record.json'));
    assert.equal(record.format, 2);
    assert.equal(record.complete, true);
    assert.deepEqual(record.inputs?.version, { input: 'v1.2.0', normalized: '1.2.0' });
    assert.equal(record.inputs?.sourceDateEpoch, RELEASE_EPOCH);
    assert.equal(record.inputs?.created, RELEASE_CREATED);
    assert.equal(record.inputs?.git?.sha, sha);
    assert.deepEqual(
      record.destinations.map(({ name, kind }) => [name, kind]),
      [
        [repo, 'registry'],
        ['oci:out', 'layout'],
      ],
    );
  });

  it('verifies clean after a commit, SOURCE_DATE_EPOCH changed or empty', async () => {
    await writeFile(join(work, 'NEWS'), 'later work\n');
    git(work, 'add', 'NEWS');
    git(work, 'commit', '-q', '-m', 'later');
    assert.notEqual(git(work, 'rev-parse', 'HEAD'), sha);

    for (const epoch of ['1800000000', '']) {
      const run = await gantryIn(work, VERIFY, { SOURCE_DATE_EPOCH: epoch });
      assert.equal(run.code, 0, `SOURCE_DATE_EPOCH=${epoch}\n${run.stdout}${run.stderr}`);
      assert.match(run.stdout, /0 failures/);
    }
  });

  it('accepts --to naming the same destinations', async () => {
    const run = await gantryIn(work, [...VERIFY, '--to', repo, '--to', 'oci:out']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
  });

  it('still fails when one tag was moved in the registry', async () => {
    const client = seedingClient(registry);
    await seedImage(client, ref(`${repo}:other`));
    await client.close();
    const moved = await gantryIn(work, [
      'tag',
      `${repo}:other`,
      `sha-${sha.slice(0, 7)}`,
    ]);
    assert.equal(moved.code, 0, moved.stderr);

    const run = await gantryIn(work, VERIFY);
    assert.equal(run.code, 7, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`sha-${sha.slice(0, 7)}`));
  });
});
