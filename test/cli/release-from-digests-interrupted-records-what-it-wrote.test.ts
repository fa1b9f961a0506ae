import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { removeTempDir } from '../harness/temp-dir.js';
import {
  assertStoppedAfterTags,
  buildByDigest,
  interruptedGantry,
  readRecord,
} from './release-record-support.js';
import { ref, seedingClient, uniqueRepository } from './support.js';
import { makeToolWork } from './tool-work.js';

/**
 * `gantry release --from-digests` stopped by Ctrl-C (SIGINT) after its
 * first tag, against a real registry: it stops between tag writes, records
 * the tags it wrote (`complete: false`), and says how to finish. The re-run
 * completes the release and keeps those tags as created by this release, so
 * a rollback of its record removes every tag, the stopped run's included.
 * Stopped right after its last tag, it still writes the whole record.
 */
const RECORD = 'fi.json';
/** Enough tag writes that the signal lands before the last. */
const RAW_TAGS = Array.from({ length: 16 }, (_, i) => `t${String(i).padStart(2, '0')}`);
let registry: TestRegistry;
let work = '';
let repo = '';
let metadata: string[] = [];

before(async () => {
  registry = (await getRegistries()).plain;
  repo = uniqueRepository(registry, 'fi-app');
  work = await makeToolWork('gantry-from-digests-interrupted-', [
    `destinations: [${repo}]`,
    'tags:',
    `  base: ["{{version}}", ${RAW_TAGS.map((tag) => `"${tag}"`).join(', ')}]`,
  ]);
  await writeFile(
    join(work, 'Dockerfile'),
    'FROM scratch\nARG TARGETARCH\nCOPY dist/$TARGETARCH/tool /tool\n',
  );
  metadata = await buildByDigest(work, uniqueRepository(registry, 'fi-ci'));
});

after(() => {
  if (work !== '') removeTempDir(work);
});

const releaseArgs = () => [
  'release',
  '--no-verify',
  '--version',
  '1.0.0',
  '--record',
  RECORD,
  'release.yaml',
  '--from-digests',
  ...metadata,
];

async function tagsNow(): Promise<string[]> {
  const client = seedingClient(registry);
  try {
    return (await client.listTags(ref(repo))).sort();
  } catch {
    return []; // a repository with no tag left is unknown to distribution
  } finally {
    await client.close();
  }
}

describe('gantry release --from-digests, interrupted', () => {
  let written = 0;

  it('stops between tags, records those it wrote and says how to finish', async () => {
    const run = await interruptedGantry(work, releaseArgs(), /^tagged /m);
    assertStoppedAfterTags(run);

    const record = await readRecord(join(work, RECORD));
    assert.equal(record.complete, false);
    assert.equal(record.fromDigests, true);
    written = record.tags.filter((tag) => tag.sequence !== undefined).length;
    assert.ok(written > 0 && written < RAW_TAGS.length + 1, `${written} written`);
    assert.ok(record.tags.every((tag) => tag.change === 'new'));
    assert.equal((await tagsNow()).length, written);
  });

  it('re-runs to the complete release, keeping those tags as new', async () => {
    const run = await runGantry(releaseArgs(), { cwd: work });
    assert.equal(run.code, 0, run.stderr);
    const record = await readRecord(join(work, RECORD));
    assert.equal(record.complete ?? true, true);
    assert.ok(record.tags.length > written);
    assert.ok(record.tags.every((tag) => tag.change === 'new'));
    assert.equal((await tagsNow()).length, record.tags.length);
  });

  it("rolls back every tag, the stopped run's too", async () => {
    const run = await runGantry(['rollback', RECORD], { cwd: work });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(await tagsNow(), []);
  });

  it('records every tag when stopped right after the last one', async () => {
    await rm(join(work, RECORD)); // so the record read below is this run's
    // `latest` is the base image's last tag; the read-back runs after it.
    const args = releaseArgs().filter((arg) => arg !== '--no-verify');
    const run = await interruptedGantry(work, args, /^tagged \S+:latest$/m);
    assert.equal(run.sent, true, run.stderr);
    // The read-back of 18 tags takes far longer than the signal does to land.
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /record written to fi\.json/);
    assert.match(run.stderr, /its read-back check was interrupted/);
    assert.match(run.stderr, /hint: run gantry verify --record fi\.json release\.yaml/);
    const record = await readRecord(join(work, RECORD));
    assert.equal(record.complete ?? true, true);
    assert.equal(record.tags.length, RAW_TAGS.length + 2);
    assert.ok(record.tags.every((tag) => tag.change === 'new'));
    assert.equal((await tagsNow()).length, record.tags.length);
  });
});
