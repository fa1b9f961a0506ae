import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { RegistryClient } from '../../src/registry/client.js';
import type { ReleaseRecord } from '../../src/release/record.js';
import {
  executeRollback,
  planRollback,
  type RollbackEvent,
} from '../../src/release/rollback.js';
import type { RollbackPlan } from '../../src/release/rollback-types.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import { runGantry } from '../harness/cli.js';

/**
 * Rollback of a release into OCI layouts. 1.0.0 then 1.1.0 go into the
 * layouts `a` and `b` (1.1.0 moves 1 and latest, creates 1.1.0 and 1.1);
 * then someone points b's created tag 1.1 elsewhere. Rolling back 1.1.0
 * puts 1 and latest back in both, drops the index.json entries of 1.1.0
 * (both) and 1.1 (in a only: b's moved since), and leaves every other
 * entry and every blob as it was. A tag moved between the plan and its
 * removal is left too: the layout compares under its lock.
 */
const SKOPEO = '/usr/bin/skopeo';
const execute = promisify(execFile);
let work = '';

interface Entry {
  digest: string;
  annotations?: Record<string, string>;
}

const REF_NAME = 'org.opencontainers.image.ref.name';

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'gantry-rollback-layout-'));
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
  const file = [
    'destinations: [oci:./a, oci:./b]',
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /usr/local/bin/tool',
    '  entrypoint: [/usr/local/bin/tool]',
  ].join('\n');
  await writeFile(join(work, 'release.yaml'), file);
});

after(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

function gantry(...args: string[]) {
  return runGantry(args, { cwd: work });
}

async function entries(layout: string): Promise<Entry[]> {
  const text = await readFile(join(work, layout, 'index.json'), 'utf8');
  return (JSON.parse(text) as { manifests: Entry[] }).manifests;
}

/** Each tag of a layout and the digest it names. */
async function named(layout: string): Promise<Record<string, string>> {
  const pairs = (await entries(layout))
    .filter((e) => e.annotations?.[REF_NAME] !== undefined)
    .map((e) => [e.annotations![REF_NAME]!, e.digest]);
  return Object.fromEntries(pairs);
}

async function record(name: string): Promise<ReleaseRecord> {
  return JSON.parse(await readFile(join(work, name), 'utf8')) as ReleaseRecord;
}

describe('gantry rollback of a release into OCI layouts', () => {
  let first = '';
  let second = '';
  let released: Entry[] = [];

  it('releases 1.0.0, then 1.1.0 moving 1 and latest', async () => {
    const one = await gantry(
      'release',
      '--version=1.0.0',
      '--record=r1.json',
      'release.yaml',
    );
    assert.equal(one.code, 0, one.stderr);
    first = (await record('r1.json')).images[0]!.digest;
    const two = await gantry(
      'release',
      '--version=1.1.0',
      '--record=r2.json',
      'release.yaml',
    );
    assert.equal(two.code, 0, two.stderr);
    second = (await record('r2.json')).images[0]!.digest;

    const all = { '1.0.0': first, '1.0': first, '1': second, latest: second };
    assert.deepEqual(await named('a'), { ...all, '1.1.0': second, '1.1': second });
    released = await entries('a');
  });

  it('--dry-run plans to remove the created tags and changes nothing', async () => {
    // Someone points b's created tag 1.1 at 1.0.0's image after the release.
    const moved = await gantry('tag', 'oci:b:1.0.0', '1.1');
    assert.equal(moved.code, 0, moved.stderr);
    const before = await readFile(join(work, 'a', 'index.json'));

    const dry = await gantry('--json', 'rollback', '--dry-run', 'r2.json');
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout) as RollbackPlan;
    const actions = plan.steps.map((s) => `${s.destination}:${s.tag} ${s.action}`);
    assert.deepEqual(actions.sort(), [
      'oci:./a:1 restore',
      'oci:./a:1.1 remove',
      'oci:./a:1.1.0 remove',
      'oci:./a:latest restore',
      'oci:./b:1 restore',
      'oci:./b:1.1 changed',
      'oci:./b:1.1.0 remove',
      'oci:./b:latest restore',
    ]);
    assert.ok(plan.steps.every((s) => s.action !== 'remove' || s.removal === 'tag'));
    assert.deepEqual(await readFile(join(work, 'a', 'index.json')), before);

    const table = await gantry('rollback', '--dry-run', 'r2.json');
    assert.match(table.stdout, /1\.1\.0 +remove +drop its index\.json entry/);
    assert.match(table.stdout, /4 restore, 3 remove, 0 keep, 1 changed since/);
  });

  it('restores moved tags, drops created ones and keeps the rest', async () => {
    await cp(join(work, 'a'), join(work, 'c'), { recursive: true });
    const run = await gantry('rollback', 'r2.json');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /removed oci:\.\/a:1\.1\.0 from its index\.json/);
    assert.match(run.stderr, /no garbage collection/);

    const restored = { '1.0.0': first, '1.0': first, '1': first, latest: first };
    assert.deepEqual(await named('a'), restored);
    assert.deepEqual(await named('b'), { ...restored, '1.1': first });

    // Every entry the rollback did not touch is as the release left it, in
    // its place; the restored ones differ only in their digest and size.
    const touched = new Set(['1', 'latest', '1.1', '1.1.0']);
    const kept = (list: Entry[]) =>
      list.filter((e) => !touched.has(e.annotations?.[REF_NAME] ?? ''));
    assert.deepEqual(kept(await entries('a')), kept(released));
    assert.ok(kept(released).length >= 2);

    // Blobs stay: 1.1.0's index is still there by digest.
    const blob = join(work, 'a', 'blobs', ...second.split(':'));
    assert.ok(existsSync(blob), `${blob} is gone`);
  });

  it('skopeo reads the restored tag as 1.0.0 and finds no 1.1.0', {
    skip: existsSync(SKOPEO) ? false : `${SKOPEO} is absent`,
  }, async () => {
    const skopeo = (ref: string) =>
      execute(SKOPEO, ['--insecure-policy', 'inspect', '--raw', ref], {
        encoding: 'buffer',
        maxBuffer: 16 * 1024 * 1024,
      });
    const { stdout } = await skopeo(`oci:${join(work, 'a')}:latest`);
    const digest = `sha256:${createHash('sha256').update(stdout).digest('hex')}`;
    assert.equal(digest, first);
    await assert.rejects(skopeo(`oci:${join(work, 'a')}:1.1.0`));
  });

  it('leaves a created tag that moves between the plan and its removal', async () => {
    // Layout c is a as 1.1.0 left it; the record names c instead of a.
    const original = await record('r2.json');
    const tags = original.tags
      .filter((t) => t.destination === 'oci:./a')
      .map((t) => ({ ...t, destination: `oci:${join(work, 'c')}` }));
    const client = new RegistryClient();
    const plan = await planRollback({ ...original, tags }, 'r2.json', client);
    const layout = await OciLayoutTarget.open(join(work, 'c'));
    await layout.tag(await layout.resolve('1.0.0'), '1.1.0');

    const events: RollbackEvent[] = [];
    await executeRollback(plan, { client, onEvent: (e) => events.push(e) });
    const left = events.filter((e) => e.kind === 'changed').map((e) => e.step.tag);
    assert.deepEqual(left, ['1.1.0']);
    assert.deepEqual(await named('c'), {
      '1.0.0': first,
      '1.0': first,
      '1': first,
      latest: first,
      '1.1.0': first,
    });
  });
});
