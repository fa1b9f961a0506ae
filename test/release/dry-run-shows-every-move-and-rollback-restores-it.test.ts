import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PlanDiff, TagChange } from '../../src/release/plan-diff.js';
import type { ReleaseRecord } from '../../src/release/record.js';
import { ref, seedingClient, uniqueRepository } from '../cli/support.js';
import { runGantry } from '../harness/cli.js';
import { seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * Through the CLI against the real registry: release A (a base image and
 * an alpine variant that copies only the docs), then change the tool's
 * bytes and add a debian variant. The dry-run of release B stages every
 * image and shows each tag exactly: the base tags move from the digest
 * the registry holds to the digest B then writes, the alpine tags stay,
 * the debian tags are new, in the table and in JSON, and it sends no
 * request that writes. `gantry rollback` of B's record puts every moved
 * tag back on A's digest and removes the tags B created.
 */
const ENV = { SOURCE_DATE_EPOCH: '1767225600' };
const BASE_TAGS = ['1.0.0', '1.0', '1', 'latest'];
const ALPINE_TAGS = ['1.0.0-alpine', '1.0-alpine', 'alpine'];
const DEBIAN_TAGS = ['1.0.0-debian', '1.0-debian', 'debian'];
const WRITE_METHODS = /^.*http > (PUT|POST|PATCH|DELETE) .*$/m;

let registry: TestRegistry;
let repository = '';
let bases = '';
let work = '';

function releaseFile(withDebian: boolean): string {
  return [
    `destinations: [${repository}]`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /usr/local/bin/tool',
    '    - from: dist/README',
    '      to: /usr/share/doc/tool/README',
    'variants:',
    `  - from: ${bases}/alpine:3.21`,
    '    suffixes: [alpine]',
    '    copy: [/usr/share/doc/tool]',
    ...(withDebian ? [`  - from: ${bases}/debian:12`, '    suffixes: [debian]'] : []),
  ].join('\n');
}

before(async () => {
  registry = (await getRegistries()).plain;
  repository = uniqueRepository(registry, 'dry-run');
  bases = uniqueRepository(registry, 'dry-run-bases');
  const client = seedingClient(registry);
  await seedImage(client, ref(`${bases}/alpine:3.21`));
  await seedImage(client, ref(`${bases}/debian:12`));
  await client.close();

  work = makeTempDir('gantry-dry-run-');
  await writeTool('one');
  await writeFile(join(work, 'dist', 'README'), 'tool: docs\n');
  await writeFile(join(work, 'release.yaml'), releaseFile(false));
});

after(() => {
  if (work !== '') removeTempDir(work);
});

async function writeTool(text: string): Promise<void> {
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${text}\n`);
  }
}

function gantry(...args: string[]) {
  return runGantry(args, { env: ENV, cwd: work });
}

function release(...args: string[]) {
  return gantry('release', '--version=1.0.0', ...args, join(work, 'release.yaml'));
}

async function digestOf(tag: string): Promise<string> {
  const result = await gantry('digest', `${repository}:${tag}`);
  return result.code === 0 ? result.stdout.trim() : `exit ${result.code}`;
}

async function digests(tags: string[]): Promise<Record<string, string>> {
  const found = await Promise.all(tags.map(digestOf));
  return Object.fromEntries(tags.map((tag, i) => [tag, found[i]!]));
}

async function readRecord(name: string): Promise<ReleaseRecord> {
  return JSON.parse(await readFile(join(work, name), 'utf8')) as ReleaseRecord;
}

const short = (digest: string) => `${digest.slice(0, 'sha256:'.length + 12)}…`;

describe('release --dry-run against a registry, the release, its rollback', () => {
  let before: Record<string, string> = {};
  let planned: Record<string, TagChange> = {};

  it('releases A, then changes the tool and adds a variant', async () => {
    const a = await release('--record', join(work, 'a.json'));
    assert.equal(a.code, 0, a.stderr);
    before = await digests([...BASE_TAGS, ...ALPINE_TAGS]);
    const a0 = (await readRecord('a.json')).images;
    assert.equal(before.latest, a0.find((image) => image.name === 'base')?.digest);

    await writeTool('two');
    await writeFile(join(work, 'release.yaml'), releaseFile(true));
  });

  it('the JSON dry-run gives every change in full digests, writes nothing', async () => {
    const dry = await gantry(
      '--json',
      '--debug',
      'release',
      '--version=1.0.0',
      '--dry-run',
      join(work, 'release.yaml'),
    );
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /http > GET /, 'the trace is on');
    assert.doesNotMatch(dry.stderr, WRITE_METHODS);

    const { diff } = JSON.parse(dry.stdout) as { diff: PlanDiff };
    planned = Object.fromEntries(diff.changes.map((change) => [change.tag, change]));
    for (const tag of BASE_TAGS) {
      assert.equal(planned[tag]?.change, 'moves', tag);
      assert.equal(planned[tag]?.from, before[tag], tag);
      assert.notEqual(planned[tag]?.to, before[tag], tag);
    }
    for (const tag of ALPINE_TAGS) {
      assert.deepEqual([planned[tag]?.change, planned[tag]?.to], ['stays', before[tag]]);
    }
    for (const tag of DEBIAN_TAGS) {
      assert.equal(planned[tag]?.change, 'new', tag);
      assert.equal(planned[tag]?.from, undefined, tag);
    }
    assert.deepEqual(diff.counts, { new: 3, moves: 4, stays: 3, held: 0 });
    assert.deepEqual(await digests([...BASE_TAGS, ...ALPINE_TAGS]), before);
    assert.equal(await digestOf('debian'), 'exit 3', 'no tag written');
  });

  it('the table shows each move as X → Y, each stay and each new tag', async () => {
    const table = await release('--dry-run');
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.split('\n');
    const row = (tag: string) => lines.find((line) => line.includes(` ${tag}  `)) ?? '';
    for (const tag of BASE_TAGS) {
      const { from, to } = planned[tag]!;
      assert.ok(row(tag).endsWith(`moves ${short(from!)} → ${short(to)}`), row(tag));
    }
    for (const tag of ALPINE_TAGS) {
      assert.ok(row(tag).endsWith(`stays at ${short(before[tag]!)}`), row(tag));
    }
    for (const tag of DEBIAN_TAGS) {
      assert.ok(row(tag).endsWith(`new → ${short(planned[tag]!.to)}`), row(tag));
    }
    assert.equal(
      lines.filter((line) => line !== '').at(-1),
      'plan: 3 new, 4 moving, 3 staying',
    );
  });

  it('release B writes exactly the digests the dry-run showed', async () => {
    const b = await release('--record', join(work, 'b.json'));
    assert.equal(b.code, 0, b.stderr);
    const tags = [...BASE_TAGS, ...ALPINE_TAGS, ...DEBIAN_TAGS];
    const expected = Object.fromEntries(tags.map((tag) => [tag, planned[tag]!.to]));
    assert.deepEqual(await digests(tags), expected);

    const record = await readRecord('b.json');
    const moved = record.tags.filter((tag) => tag.change === 'moves');
    assert.deepEqual(
      moved.map((tag) => [tag.tag, tag.previous]),
      BASE_TAGS.map((tag) => [tag, before[tag]]),
    );
  });

  it('rollback of B restores every previous digest, removes what B made', async () => {
    const rollback = await gantry('rollback', join(work, 'b.json'));
    assert.equal(rollback.code, 0, rollback.stderr);
    assert.deepEqual(await digests([...BASE_TAGS, ...ALPINE_TAGS]), before);
    const gone = await digests(DEBIAN_TAGS);
    assert.deepEqual(
      Object.values(gone),
      DEBIAN_TAGS.map(() => 'exit 3'),
    );
  });
});
