import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RollbackPlan } from '../../src/release/rollback-types.js';
import { seedImage } from '../harness/images.js';
import { getRegistries } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { toolRelease, writeToolDist } from '../release/support.js';
import { gantryIn, interruptedGantry, readRecord } from './release-record-support.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * Through the built CLI against a real registry: 1.0.0 released to a
 * repository and an OCI layout (rec1.json), then the same release sent
 * `--to` another repository with a copy of that record as `--record`,
 * first interrupted with SIGINT after its first tag, then re-run whole.
 * Each time the record names only the repository this run published to,
 * and a rollback of it plans nothing for the first release's tags. A plain
 * repeat to the first destinations still keeps rec1.json.
 */
const VARIANTS = 4;
const VERSION = '1.0.0';
let work = '';
let first = '';
let other = '';

before(async () => {
  const registry = (await getRegistries()).plain;
  work = makeTempDir('gantry-release-elsewhere-');
  first = uniqueRepository(registry, 'first-app');
  other = uniqueRepository(registry, 'other-app');
  const from = `${uniqueRepository(registry, 'bases')}:3.21`;
  const client = seedingClient(registry);
  await seedImage(client, ref(from));
  await client.close();
  await writeToolDist(work);
  // One image per variant: each is its own group of tag writes, in order.
  const suffixes = Array.from({ length: VARIANTS }, (_, i) => `v${i}`);
  const file = toolRelease(
    `${first}, oci:out`,
    suffixes.map((suffix): [string, string] => [from, suffix]),
  );
  await writeFile(join(work, 'release.yaml'), file);
});

after(() => {
  if (work !== '') removeTempDir(work);
});

function releaseArgs(record: string, to: string[] = []): string[] {
  const dests = to.flatMap((dest) => ['--to', dest]);
  return [
    'release',
    '--no-verify',
    '--version',
    VERSION,
    ...dests,
    '--record',
    record,
  ].concat('release.yaml');
}

/** Runs a release and sends SIGINT once its first tag line is on stderr. */
function interruptedRelease(args: string[]) {
  return interruptedGantry(work, args, /^tag /m);
}

/** The destinations a record names, in its tags and in its destinations. */
async function destinationsOf(record: string): Promise<string[]> {
  const read = await readRecord(join(work, record));
  const names = new Set(read.destinations.map((destination) => destination.name));
  for (const tag of read.tags) names.add(tag.destination);
  return [...names].sort();
}

async function rollbackPlan(record: string): Promise<RollbackPlan> {
  const run = await gantryIn(work, ['--json', 'rollback', '--dry-run', record]);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as RollbackPlan;
}

describe('a release elsewhere given the record file of another', () => {
  it('releases 1.0.0 to a repository and a layout', async () => {
    const run = await gantryIn(work, releaseArgs('rec1.json'));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await destinationsOf('rec1.json'), [first, 'oci:out'].sort());
    await copyFile(join(work, 'rec1.json'), join(work, 'rec-other.json'));
  });

  it('interrupted elsewhere, records only the tags it wrote there', async () => {
    const run = await interruptedRelease(releaseArgs('rec-other.json', [other]));
    assert.equal(run.sent, true, run.stderr);
    assert.equal(run.code, 1, run.stderr);
    const written = /(\d+) tags? (?:were|was) written/.exec(run.stderr);
    assert.ok(written !== null, run.stderr);

    const record = await readRecord(join(work, 'rec-other.json'));
    assert.equal(record.complete, false);
    assert.equal(record.tags.length, Number(written[1]), 'only the tags it wrote');
    assert.deepEqual(await destinationsOf('rec-other.json'), [other]);
    const plan = await rollbackPlan('rec-other.json');
    assert.ok(plan.steps.length > 0);
    assert.ok(plan.steps.every((step) => step.destination === other));
  });

  it('re-run elsewhere, the record names that repository alone', async () => {
    const run = await gantryIn(work, releaseArgs('rec-other.json', [other]));
    assert.equal(run.code, 0, run.stderr);
    const record = await readRecord(join(work, 'rec-other.json'));
    assert.equal(record.complete, true);
    assert.deepEqual(await destinationsOf('rec-other.json'), [other]);
    // What the interrupted run created is still undone by this record.
    const plan = await rollbackPlan('rec-other.json');
    assert.ok(plan.steps.every((step) => step.destination === other));
    assert.equal(plan.counts.remove, record.tags.length);
  });

  it('a repeat elsewhere replaces a complete record of other destinations', async () => {
    await copyFile(join(work, 'rec1.json'), join(work, 'rec-again.json'));
    const run = await gantryIn(work, releaseArgs('rec-again.json', [other]));
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /nothing changed; record/);
    assert.match(run.stderr, /record written to rec-again\.json/);
    assert.deepEqual(await destinationsOf('rec-again.json'), [other]);
  });

  it('a plain repeat to the first destinations keeps their record', async () => {
    const before = await readRecord(join(work, 'rec1.json'));
    const run = await gantryIn(work, releaseArgs('rec1.json'));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /nothing changed; record rec1\.json kept/);
    assert.deepEqual(await readRecord(join(work, 'rec1.json')), before);
  });
});
