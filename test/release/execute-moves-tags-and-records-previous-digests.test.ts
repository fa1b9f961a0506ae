import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import { RegistryClient } from '../../src/registry/client.js';
import { executeRelease, type ReleaseEvent } from '../../src/release/execute.js';
import { parseReleaseFile } from '../../src/release/file.js';
import { planRelease } from '../../src/release/plan.js';
import { releaseRecord } from '../../src/release/record.js';
import { parseVersion } from '../../src/release/version.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';

/**
 * Execution into a local layout: content is pushed before any tag; a new
 * version moves the shared tags (the record keeps each one's previous
 * digest and the order of the writes) and leaves the old version's tag;
 * repeating it uploads nothing and writes no tag; a destination that
 * cannot be read stops the release before anything is written anywhere.
 */
let work = '';
let layout = '';
const client = new RegistryClient();

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'gantry-release-execute-'));
  layout = join(work, 'out');
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `tool for ${arch}\n`);
  }
});

after(async () => {
  await client.close();
  await rm(work, { recursive: true, force: true });
});

function plan(version: string, destinations = `[oci:${layout}]`) {
  const text = [
    `destinations: ${destinations}`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /tool',
  ].join('\n');
  return planRelease(parseReleaseFile(text), {
    version: parseVersion(version, 'semver'),
  });
}

async function run(version: string) {
  const events: ReleaseEvent[] = [];
  const outcome = await executeRelease(plan(version), {
    client,
    baseDir: work,
    cacheDir: false,
    onEvent: (event) => events.push(event),
  });
  return { outcome, events, record: releaseRecord(outcome) };
}

async function tagged(tag: string): Promise<string> {
  const target = await OciLayoutTarget.open(layout, { create: false, readOnly: true });
  return (await target.resolve(tag)).digest.toString();
}

test('content first, then tags; a new version moves the shared tags', async () => {
  const one = await run('1.4.2');
  const types = one.events.map((event) => event.type);
  assert.ok(types.lastIndexOf('pushed') < types.indexOf('tagged'), types.join(','));
  const old = one.record.images[0]!.digest;
  assert.deepEqual(
    one.record.tags.map((tag) => [tag.tag, tag.change, tag.sequence]),
    [
      ['1.4.2', 'new', 1],
      ['1.4', 'new', 2],
      ['1', 'new', 3],
      ['latest', 'new', 4],
    ],
  );

  const two = await run('1.4.3');
  const now = two.record.images[0]!.digest;
  assert.notEqual(now, old);
  assert.deepEqual(
    two.record.tags.map((tag) => [tag.tag, tag.change, tag.previous]),
    [
      ['1.4.3', 'new', undefined],
      ['1.4', 'moves', old],
      ['1', 'moves', old],
      ['latest', 'moves', old],
    ],
  );
  assert.equal(await tagged('latest'), now);
  assert.equal(await tagged('1.4.2'), old);
});

test('repeating a release uploads nothing and writes no tag', async () => {
  const again = await run('1.4.3');
  assert.equal(again.record.counts.stays, 4);
  assert.ok(!again.events.some((event) => event.type === 'tagged'));
  assert.deepEqual(again.record.destinations[0]!.uploaded, {
    blobs: 0,
    bytes: 0,
    mounted: 0,
    skipped: again.record.destinations[0]!.uploaded.skipped,
  });
});

test('an unreadable destination stops the release before any write', async () => {
  const fresh = join(work, 'fresh');
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  const unreachable = `[oci:${fresh}, 127.0.0.1:1/tool]`;
  await assert.rejects(
    executeRelease(plan('1.5.0', unreachable), {
      client,
      baseDir: work,
      cacheDir: false,
    }),
    (error: unknown) => isGantryError(error, 'GANTRY_E_NETWORK'),
  );
  await assert.rejects(OciLayoutTarget.open(fresh, { create: false, readOnly: true }));
});
