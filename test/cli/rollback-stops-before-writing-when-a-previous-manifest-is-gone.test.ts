import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { seedImage } from '../harness/images.js';
import { type RunningRegistry, startRegistry } from '../harness/registries.js';
import { runInProcess } from './run-in-process.js';
import { ref, seedingClient } from './support.js';

/**
 * A record whose moved tag's previous manifest no longer exists: rollback
 * fails with not found (exit 3), naming the tag and the digest, and writes
 * nothing, not even the other tag's removal that comes later in its plan.
 */
let registry: RunningRegistry;
let work = '';
const GONE = `sha256:${'f'.repeat(64)}`;

before(async () => {
  registry = await startRegistry('plain');
  work = await mkdtemp(join(tmpdir(), 'gantry-rollback-gone-'));
});

after(async () => {
  await registry?.stop();
  if (work !== '') await rm(work, { recursive: true, force: true });
});

it('names the tag and the missing digest, and changes nothing', async () => {
  const repository = `${registry.host}/rb/gone`;
  const client = seedingClient(registry);
  const seeded = await seedImage(client, ref(`${repository}:1`));
  await seedImage(client, ref(`${repository}:1.1`));
  await client.close();
  const created = (await runInProcess(['digest', `${repository}:1.1`])).stdout.trim();

  const record = {
    format: 1,
    version: '1.1.0',
    tags: [
      {
        destination: repository,
        image: 'base',
        tag: '1.1',
        digest: created,
        change: 'new',
        sequence: 1,
      },
      {
        destination: repository,
        image: 'base',
        tag: '1',
        digest: seeded.digest,
        previous: GONE,
        change: 'moves',
        sequence: 2,
      },
    ],
  };
  const path = join(work, 'record.json');
  await writeFile(path, JSON.stringify(record));

  const run = await runInProcess(['rollback', path]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, new RegExp(`rb/gone:1: its previous manifest ${GONE}`));
  for (const [tag, digest] of [
    ['1', seeded.digest],
    ['1.1', created],
  ]) {
    const now = await runInProcess(['digest', `${repository}:${tag}`]);
    assert.equal(now.stdout.trim(), digest, tag);
  }
});
