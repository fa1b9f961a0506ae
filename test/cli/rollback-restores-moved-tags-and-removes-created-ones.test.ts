import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ReleaseRecord } from '../../src/release/record.js';
import type { RollbackPlan } from '../../src/release/rollback-types.js';
import { type RunningRegistry, startRegistry } from '../harness/registries.js';
import { runInProcess } from './run-in-process.js';

/**
 * Against a real registry: release 1.0.0 (1.0.0, 1.0, 1, latest), then
 * 1.1.0 (moves 1 and latest, creates 1.1.0 and 1.1). The second release's
 * dry-run shows the moves; `gantry rollback --dry-run` of its record
 * changes nothing; `gantry rollback` puts 1 and latest back on 1.0.0's
 * digest and removes 1.1.0 and 1.1 by deleting their manifest by digest;
 * a second rollback finds everything done and writes nothing.
 */
let registry: RunningRegistry;
let work = '';

before(async () => {
  registry = await startRegistry('plain');
  work = await mkdtemp(join(tmpdir(), 'gantry-rollback-cli-'));
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
  const file = [
    `destinations: [${registry.host}/rb/tool]`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /usr/local/bin/tool',
    '  entrypoint: [/usr/local/bin/tool]',
  ].join('\n');
  await writeFile(join(work, 'release.yaml'), file);
});

after(async () => {
  await registry?.stop();
  if (work !== '') await rm(work, { recursive: true, force: true });
});

function release(version: string, ...args: string[]) {
  return runInProcess([
    'release',
    `--version=${version}`,
    ...args,
    join(work, 'release.yaml'),
  ]);
}

async function digestOf(tag: string): Promise<string> {
  const result = await runInProcess(['digest', `${registry.host}/rb/tool:${tag}`]);
  return result.code === 0 ? result.stdout.trim() : `exit ${result.code}`;
}

async function allDigests(): Promise<Record<string, string>> {
  const tags = ['1.0.0', '1.0', '1', 'latest', '1.1.0', '1.1'];
  const digests = await Promise.all(tags.map(digestOf));
  return Object.fromEntries(tags.map((tag, i) => [tag, digests[i]!]));
}

async function record(name: string): Promise<ReleaseRecord> {
  return JSON.parse(await readFile(join(work, name), 'utf8')) as ReleaseRecord;
}

describe('gantry rollback of a release that moved and created tags', () => {
  let first = '';
  let second = '';

  it('releases 1.0.0, then shows 1.1.0 moving 1 and latest', async () => {
    const one = await release('1.0.0', '--record', join(work, 'record1.json'));
    assert.equal(one.code, 0, one.stderr);
    first = (await record('record1.json')).images[0]!.digest;

    const plan = await release('1.1.0', '--dry-run');
    assert.equal(plan.code, 0, plan.stderr);
    // The dry-run stages 1.1.0, so it names the digest each tag moves from.
    const from = `sha256:${first.slice('sha256:'.length, 19)}…`;
    assert.match(plan.stdout, new RegExp(` 1 +moves ${from} → sha256:\\w+…`));
    assert.match(plan.stdout, new RegExp(` latest +moves ${from} → sha256:\\w+…`));
    assert.match(plan.stdout, /plan: 2 new, 2 moving, 0 staying/);

    const two = await release('1.1.0', '--record', join(work, 'record2.json'));
    assert.equal(two.code, 0, two.stderr);
    const moved = (await record('record2.json')).tags.filter((t) => t.change === 'moves');
    assert.deepEqual(moved.map((t) => [t.tag, t.previous]).sort(), [
      ['1', first],
      ['latest', first],
    ]);
    second = (await record('record2.json')).images[0]!.digest;
    assert.notEqual(second, first);
  });

  it('--dry-run shows the plan and changes nothing', async () => {
    const before = await allDigests();
    const dry = await runInProcess([
      '--json',
      'rollback',
      '--dry-run',
      join(work, 'record2.json'),
    ]);
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout) as RollbackPlan;
    const actions = Object.fromEntries(plan.steps.map((s) => [s.tag, s.action]));
    assert.deepEqual(actions, {
      '1.1.0': 'remove',
      '1.1': 'remove',
      '1': 'restore',
      latest: 'restore',
    });
    // Restores first, last written first; then removals, also reversed.
    assert.deepEqual(
      plan.steps.map((s) => [s.sequence, s.tag]),
      [
        [1, 'latest'],
        [2, '1'],
        [3, '1.1'],
        [4, '1.1.0'],
      ],
    );
    assert.deepEqual(await allDigests(), before);
  });

  it('restores 1 and latest and removes 1.1.0 and 1.1', async () => {
    const run = await runInProcess(['rollback', join(work, 'record2.json')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /2 restore, 2 remove/);
    assert.match(run.stderr, /cannot delete a tag alone/);
    assert.deepEqual(await allDigests(), {
      '1.0.0': first,
      '1.0': first,
      '1': first,
      latest: first,
      '1.1.0': 'exit 3',
      '1.1': 'exit 3',
    });
  });

  it('a second rollback finds every tag done and writes nothing', async () => {
    const run = await runInProcess(['rollback', join(work, 'record2.json')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /0 restore, 0 remove, 0 keep, 0 changed since, 4 done/);
    assert.doesNotMatch(run.stderr, /restored|deleted/);
  });
});
