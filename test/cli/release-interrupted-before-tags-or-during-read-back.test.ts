import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedImage } from '../harness/images.js';
import { type RunningRegistry, startRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { toolRelease, writeToolDist } from '../release/support.js';
import { gantryIn, interruptedGantry, readRecord } from './release-record-support.js';
import { ref, seedingClient } from './support.js';

/**
 * Through the built CLI against a real registry, Ctrl-C at the two ends of
 * a release. Before any tag is written, the message says nothing is
 * published and does not send the user to roll back the record file,
 * which still holds the earlier release's record, unchanged. During the
 * read-back, after every tag moved, the record is written complete, the
 * summary table, the record line and (inside a simulated GitHub Actions
 * job) the step outputs and summary say what was published, with the
 * verification not run, and the command exits 1 with GANTRY_E_ABORTED,
 * saying how to check it later.
 */
const VARIANTS = 6;
const RECORD = 'gantry-release-record.json';
let registry: RunningRegistry;
let work = '';

before(async () => {
  registry = await startRegistry('plain');
  work = makeTempDir('gantry-release-ctrl-c-');
  const client = seedingClient(registry);
  const from = `${registry.host}/bases/alpine:3.21`;
  await seedImage(client, ref(from));
  await client.close();
  await writeToolDist(work);
  const suffixes = Array.from({ length: VARIANTS }, (_, i) => `v${i}`);
  const file = toolRelease(
    `${registry.host}/ctrl-c/tool`,
    suffixes.map((suffix): [string, string] => [from, suffix]),
  );
  await writeFile(join(work, 'release.yaml'), file);
});

after(async () => {
  await registry?.stop();
  if (work !== '') removeTempDir(work);
});

/** `gantry release VERSION`, sent SIGINT when a stderr line matches `when`. */
function interruptedRelease(version: string, when: RegExp, env: NodeJS.ProcessEnv = {}) {
  const args = ['release', '--version', version, 'release.yaml'];
  return interruptedGantry(work, args, when, env);
}

describe('Ctrl-C before the first tag and during the read-back', () => {
  it('releases 1.0.0 whole, as the record to keep', async () => {
    const run = await gantryIn(work, ['release', '--version', '1.0.0', 'release.yaml']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^verifying: reading 1 destination back$/m);
    assert.equal((await readRecord(join(work, RECORD))).version, '1.0.0');
  });

  it('stopped while building, names no record to roll back and keeps the old one', async () => {
    const before = await readFile(join(work, RECORD), 'utf8');
    const run = await interruptedRelease('1.1.0', /^building /m);
    assert.equal(run.sent, true, run.stderr);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /GANTRY_E_ABORTED/);
    assert.match(
      run.stderr,
      /interrupted before any tag was written: nothing is published/,
    );
    assert.match(run.stderr, /hint: run the same gantry release again to publish it/);
    assert.doesNotMatch(run.stderr, /rollback/);
    assert.equal(await readFile(join(work, RECORD), 'utf8'), before);
  });

  it('stopped in the read-back, writes the whole record and says how to check', async () => {
    // The runner creates both files empty before the step runs.
    const output = join(work, 'github-output');
    const summary = join(work, 'step-summary.md');
    await Promise.all([writeFile(output, ''), writeFile(summary, '')]);
    const run = await interruptedRelease('1.2.0', /^verifying: /m, {
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
    });
    assert.equal(run.sent, true, run.stderr);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /GANTRY_E_ABORTED/);
    assert.match(run.stderr, /the release is published and its record written/);
    assert.match(
      run.stderr,
      new RegExp(`hint: run gantry verify --record ${RECORD} release.yaml`),
    );
    assert.doesNotMatch(run.stderr, /\d+ checks, \d+ failures/);
    const record = await readRecord(join(work, RECORD));
    assert.equal(record.version, '1.2.0');
    assert.equal(record.complete, true);

    // The release is published: the table and the record line say so.
    assert.match(run.stdout, /^IMAGE\s+PLATFORMS\s+TAGS\s+DIGEST$/m);
    assert.match(run.stdout, /^1 destination .*: \d+ new, [1-9]\d* moved/m);
    assert.match(run.stderr, new RegExp(`^record written to ${RECORD}$`, 'm'));
    const outputs = await readFile(output, 'utf8');
    assert.match(outputs, /^version=1\.2\.0$/m);
    assert.match(outputs, new RegExp(`^record=${RECORD}$`, 'm'));
    assert.match(outputs, /^changed=true$/m);
    assert.match(outputs, /^verified=$/m, 'the check did not run');
    assert.match(
      await readFile(summary, 'utf8'),
      /^Verification: not run \(the read-back was interrupted\)\.$/m,
    );
    const verify = await gantryIn(work, ['verify', '--record', RECORD, 'release.yaml']);
    assert.equal(verify.code, 0, verify.stderr);
  });
});
