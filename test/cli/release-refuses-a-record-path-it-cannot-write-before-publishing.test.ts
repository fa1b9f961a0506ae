import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir } from '../harness/temp-dir.js';
import { writeToolDist } from '../release/support.js';
import { buildByDigest } from './release-record-support.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * A `--record` path the record could never be written to (a folder, a file
 * in a missing folder, a file under a plain file, a path ending in `/`, no
 * name), or a file that holds no record, stops `gantry release`
 * with GANTRY_E_RELEASE_RECORD before anything is published, built or
 * assembled `--from-digests`, so no tag is left without a record to roll
 * it back. A dry-run writes no record and is not stopped.
 */
// `afile` holds text that is no record: gantry does not overwrite it.
const BAD_RECORDS = ['adir', 'nodir/x.json', 'afile/x.json', 'nosuch/', '', 'afile'];
let registry: TestRegistry;
let work = '';
let metadata: string[] = [];

before(async () => {
  registry = (await getRegistries()).plain;
  work = makeTempDir('gantry-release-bad-record-');
  await writeToolDist(work);
  await mkdir(join(work, 'adir'));
  await writeFile(join(work, 'afile'), 'not a folder\n');
  await writeFile(
    join(work, 'Dockerfile'),
    'FROM scratch\nARG TARGETARCH\nCOPY dist/$TARGETARCH/tool /tool\n',
  );
  const ci = uniqueRepository(registry, 'bad-record-ci');
  metadata = await buildByDigest(work, ci);
});

function gantry(args: string[]) {
  return runGantry(args, { cwd: work });
}

/** A release file of its own for each case, to a repository of its own. */
async function releaseFile(label: string): Promise<{ file: string; repo: string }> {
  const repo = uniqueRepository(registry, label);
  const file = `${label}.yaml`;
  const text = [
    `destinations: [${repo}]`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /tool',
  ].join('\n');
  await writeFile(join(work, file), text);
  return { file, repo };
}

/** The repository's tags; none when it does not exist. */
async function tagsIn(repo: string): Promise<string[]> {
  const client = seedingClient(registry);
  try {
    return await client.listTags(ref(repo));
  } catch {
    return [];
  } finally {
    await client.close();
  }
}

function assertRefused(run: { code: number | null; stderr: string }, record: string) {
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /GANTRY_E_RELEASE_RECORD/);
  assert.ok(run.stderr.includes(`cannot be written to ${record}`), run.stderr);
  assert.match(run.stderr, /nothing was published/);
  assert.match(run.stderr, /hint: pass --record FILE/);
  assert.doesNotMatch(run.stderr, /^tag /m);
}

describe('gantry release with a --record path it cannot write', () => {
  for (const record of BAD_RECORDS) {
    it(`refuses --record ${record} before building or tagging`, async () => {
      const { file, repo } = await releaseFile('bad-record');
      const run = await gantry([
        'release',
        '--version',
        '1.0.0',
        '--record',
        record,
        file,
      ]);
      assertRefused(run, record);
      assert.doesNotMatch(run.stderr, /^building /m);
      assert.deepEqual(await tagsIn(repo), []);
    });

    it(`refuses --record ${record} before assembling --from-digests`, async () => {
      const { file, repo } = await releaseFile('bad-record-fd');
      const run = await gantry(
        ['release', '--version', '1.0.0', '--record', record, file].concat(
          '--from-digests',
          ...metadata,
        ),
      );
      assertRefused(run, record);
      assert.doesNotMatch(run.stderr, /^assembled /m);
      assert.deepEqual(await tagsIn(repo), []);
    });
  }

  it('names what is wrong with each path', async () => {
    const { file } = await releaseFile('bad-record-why');
    const why = {
      adir: /adir: it is a folder/,
      'nodir/x.json': /its folder nodir does not exist/,
      'afile/x.json': /afile is not a folder/,
    };
    for (const [record, reason] of Object.entries(why)) {
      const run = await gantry([
        'release',
        '--version',
        '1.0.0',
        '--record',
        record,
        file,
      ]);
      assert.match(run.stderr, reason);
    }
  });

  it('does not stop a dry-run, which writes no record', async () => {
    const { file } = await releaseFile('bad-record-dry');
    const run = await gantry(
      ['release', '--dry-run', '--version', '1.0.0', '--record', 'adir'].concat(file),
    );
    assert.equal(run.code, 0, run.stderr);
  });
});
