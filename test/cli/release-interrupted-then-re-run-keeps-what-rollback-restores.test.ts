import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedImage } from '../harness/images.js';
import { type RunningRegistry, startRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { toolRelease, writeToolDist } from '../release/support.js';
import {
  assertStoppedAfterTags,
  gantryIn,
  interruptedGantry,
  readRecord,
} from './release-record-support.js';
import { ref, seedingClient } from './support.js';

/**
 * Through the built CLI against a real registry: release 1.0.0 (A), then
 * 1.1.0 (B, moves the floating tags), then 1.2.0 (C) interrupted with
 * SIGINT after its first tag write. C's record names the tags it wrote
 * (`complete: false`); the re-run of C finds those tags staying yet keeps
 * their previous digests, and a plain repeat keeps the record; rolling back
 * C's record puts every tag back where B left it.
 */
const VARIANTS = 6;
const RECORD = 'gantry-release-record.json';
let registry: RunningRegistry;
let work = '';
let repo = '';

before(async () => {
  registry = await startRegistry('plain');
  work = makeTempDir('gantry-release-interrupt-');
  repo = `${registry.host}/int/tool`;
  const client = seedingClient(registry);
  await seedImage(client, ref(`${registry.host}/bases/alpine:3.21`));
  await client.close();
  await writeToolDist(work);
  // One image per variant: each is its own group of tag writes, in order.
  const suffixes = Array.from({ length: VARIANTS }, (_, i) => `v${i}`);
  const from = `${registry.host}/bases/alpine:3.21`;
  const file = toolRelease(
    repo,
    suffixes.map((suffix): [string, string] => [from, suffix]),
  );
  await writeFile(join(work, 'release.yaml'), file);
});

after(async () => {
  await registry?.stop();
  if (work !== '') removeTempDir(work);
});

function release(version: string) {
  return gantryIn(work, ['release', '--no-verify', '--version', version, 'release.yaml']);
}

/** Every tag of the repository and the digest it names. */
async function state(): Promise<Map<string, string>> {
  const client = seedingClient(registry);
  try {
    const tags = await client.listTags(ref(repo));
    const found = new Map<string, string>();
    for (const tag of tags.sort()) {
      const descriptor = await client.headManifest(ref(`${repo}:${tag}`));
      found.set(tag, descriptor!.digest.toString());
    }
    return found;
  } finally {
    await client.close();
  }
}

/** Runs a release and sends SIGINT once its first tag line is on stderr. */
function interruptedRelease(version: string) {
  const args = ['release', '--no-verify', '--version', version, 'release.yaml'];
  return interruptedGantry(work, args, /^tag /m);
}

describe('an interrupted release, its re-run and a rollback', () => {
  let afterB = new Map<string, string>();

  it('releases A, then B which moves the floating tags', async () => {
    for (const version of ['1.0.0', '1.1.0']) {
      const run = await release(version);
      assert.equal(run.code, 0, run.stderr);
    }
    afterB = await state();
    assert.equal(afterB.get('1'), afterB.get('1.1.0'));
    assert.notEqual(afterB.get('1.0.0'), afterB.get('1'));
  });

  it('records the tags an interrupted C wrote and says how to finish', async () => {
    const run = await interruptedRelease('1.2.0');
    assertStoppedAfterTags(run);

    const record = await readRecord(join(work, RECORD));
    assert.equal(record.version, '1.2.0');
    assert.equal(record.complete, false);
    const written = record.tags.filter((tag) => tag.change !== 'stays');
    assert.ok(written.length > 0 && written.length < afterB.size);
    for (const tag of written.filter((t) => t.change === 'moves')) {
      assert.equal(tag.previous, afterB.get(tag.tag), tag.tag);
    }
  });

  it('re-runs C: tags the interrupted run wrote keep their previous digest', async () => {
    const interrupted = await readRecord(join(work, RECORD));
    const run = await release('1.2.0');
    assert.equal(run.code, 0, run.stderr);
    const record = await readRecord(join(work, RECORD));
    assert.equal(record.complete, true);
    for (const earlier of interrupted.tags) {
      const now = record.tags.find((tag) => tag.tag === earlier.tag)!;
      assert.equal(now.change, earlier.change, earlier.tag);
      assert.equal(now.previous, earlier.previous, earlier.tag);
    }
    assert.ok(record.tags.every((tag) => tag.change !== 'stays'));
  });

  it('a plain repeat of C keeps the record', async () => {
    const before = await readRecord(join(work, RECORD));
    const run = await release('1.2.0');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`nothing changed; record ${RECORD} kept`));
    assert.deepEqual(await readRecord(join(work, RECORD)), before);
  });

  it("rolls C back to B's digests everywhere", async () => {
    const run = await gantryIn(work, ['rollback', RECORD]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(await state(), afterB);
  });
});
