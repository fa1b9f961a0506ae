import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PlanDiff } from '../../src/release/plan-diff.js';
import type { ReleaseRecord } from '../../src/release/record.js';
import { ref, seedingClient, uniqueRepository } from '../cli/support.js';
import { runGantry } from '../harness/cli.js';
import { seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { toolRelease, writeToolDist } from './support.js';

/**
 * Through the CLI against the real registry: after 0.29.0 is released, a
 * release of 0.28.3 (a fix of the older line) does not move the floating
 * tags 0.29.0 wrote (`latest`, `0`, the bare variant suffixes): the plan
 * shows them held at 0.29.0's image, the release leaves them there, the
 * record says so, and verification passes. `--allow-downgrade` moves them,
 * and shows each one as a downgrade.
 */
const ENV = { SOURCE_DATE_EPOCH: '1767225600' };
const HELD = ['latest', '0', 'busybox', 'bookworm', 'debian12'];
const OWN = [
  '0.28.3',
  '0.28',
  '0.28.3-busybox',
  '0.28-busybox',
  '0.28.3-bookworm',
  '0.28-bookworm',
  '0.28.3-debian12',
  '0.28-debian12',
];

let registry: TestRegistry;
let repository = '';
let work = '';

before(async () => {
  registry = (await getRegistries()).plain;
  repository = uniqueRepository(registry, 'hold');
  const bases = uniqueRepository(registry, 'hold-bases');
  const client = seedingClient(registry);
  await seedImage(client, ref(`${bases}/busybox:1.37`));
  await seedImage(client, ref(`${bases}/debian:12`));
  await client.close();

  work = makeTempDir('gantry-hold-');
  await writeToolDist(work);
  const variants: [string, string][] = [
    [`${bases}/busybox:1.37`, 'busybox'],
    [`${bases}/debian:12`, 'bookworm, debian12'],
  ];
  await writeFile(join(work, 'release.yaml'), toolRelease(repository, variants));
});

after(() => {
  if (work !== '') removeTempDir(work);
});

function gantry(...args: string[]) {
  return runGantry(args, { env: ENV, cwd: work });
}

function release(version: string, ...args: string[]) {
  return gantry('release', `--version=${version}`, ...args, join(work, 'release.yaml'));
}

async function digests(tags: string[]): Promise<Record<string, string>> {
  const found = await Promise.all(
    tags.map(async (tag) => {
      const result = await gantry('digest', `${repository}:${tag}`);
      return result.code === 0 ? result.stdout.trim() : `exit ${result.code}`;
    }),
  );
  return Object.fromEntries(tags.map((tag, i) => [tag, found[i]!]));
}

async function readRecord(name: string): Promise<ReleaseRecord> {
  return JSON.parse(await readFile(join(work, name), 'utf8')) as ReleaseRecord;
}

describe('floating tags do not move back to an older release', () => {
  let newer: Record<string, string> = {};

  it('releases 0.29.0', async () => {
    const result = await release('0.29.0', '--record', join(work, 'new.json'));
    assert.equal(result.code, 0, result.stderr);
    newer = await digests(HELD);
    const base = (await readRecord('new.json')).images.find((i) => i.name === 'base');
    assert.equal(newer.latest, base?.digest);
  });

  it('the dry-run of 0.28.3 holds the floating tags and adds its own', async () => {
    const json = await gantry('--json', 'release', '--dry-run', '--version=0.28.3');
    assert.equal(json.code, 0, json.stderr);
    const { diff } = JSON.parse(json.stdout) as { diff: PlanDiff };
    const kinds = Object.fromEntries(diff.changes.map((c) => [c.tag, c.change]));
    for (const tag of HELD) assert.equal(kinds[tag], 'held', tag);
    for (const tag of OWN) assert.equal(kinds[tag], 'new', tag);
    const latest = diff.changes.find((change) => change.tag === 'latest')!;
    assert.equal(latest.from, newer.latest);
    assert.equal(latest.newer, '0.29.0');
    assert.deepEqual(diff.counts, { new: 8, moves: 0, stays: 0, held: 5 });

    const text = await gantry('--debug', 'release', '--dry-run', '--version=0.28.3');
    assert.equal(text.code, 0, text.stderr);
    // Versions are read once per image a moving tag names: base, busybox,
    // and the debian variant under bookworm and debian12; by digest, one GET.
    const name = repository.slice(repository.indexOf('/') + 1);
    const reads = text.stderr.match(
      new RegExp(`http > GET \\S*/v2/${name}/manifests/`, 'g'),
    );
    assert.equal(reads?.length, 3, text.stderr);
    const short = `${newer.latest!.slice(0, 'sha256:'.length + 12)}…`;
    assert.match(
      text.stdout,
      new RegExp(`latest +kept at ${short} \\(holds newer 0.29.0\\)`),
    );
    assert.match(text.stdout, /debian12 +kept at sha256:\w+… \(holds newer 0\.29\.0\)/);
    assert.match(text.stdout, /plan: 8 new, 0 moving, 0 staying, 5 held$/m);
  });

  it('the release of 0.28.3 leaves them, records them held, and verifies', async () => {
    const result = await release('0.28.3', '--record', join(work, 'old.json'));
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await digests(HELD), newer, 'the floating tags did not move');

    const record = await readRecord('old.json');
    const own = await digests(OWN);
    for (const tag of record.tags) {
      if (HELD.includes(tag.tag)) {
        assert.equal(tag.change, 'held', tag.tag);
        assert.equal(tag.digest, newer[tag.tag], `${tag.tag} records what it names`);
        assert.equal(tag.sequence, undefined, `${tag.tag} was not written`);
        assert.equal(tag.newer, '0.29.0');
      } else {
        assert.equal(tag.change, 'new', tag.tag);
        assert.equal(tag.digest, own[tag.tag], tag.tag);
      }
    }
    assert.equal(record.counts.held, 5);

    const verify = await gantry(
      'verify',
      '--record',
      join(work, 'old.json'),
      'release.yaml',
    );
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });

  it('--allow-downgrade moves them, shown as downgrades', async () => {
    const dry = await gantry(
      'release',
      '--dry-run',
      '--allow-downgrade',
      '--version=0.28.3',
    );
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(
      dry.stdout,
      /latest +moves sha256:\w+… → sha256:\w+… \(downgrade from 0\.29\.0\)/,
    );
    assert.match(dry.stdout, /plan: 0 new, 5 moving, 8 staying$/m);

    const result = await release('0.28.3', '--allow-downgrade', '--record', 'down.json');
    assert.equal(result.code, 0, result.stderr);
    const record = await readRecord('down.json');
    const base = record.images.find((image) => image.name === 'base')!;
    assert.equal((await digests(['latest'])).latest, base.digest);
    assert.notEqual(base.digest, newer.latest);
    const latest = record.tags.find((tag) => tag.tag === 'latest')!;
    assert.equal(latest.change, 'moves');
    assert.equal(latest.previous, newer.latest);
  });

  it('a newer release moves them forward as before', async () => {
    const result = await release('0.29.0', '--record', 'again.json');
    assert.equal(result.code, 0, result.stderr);
    const record = await readRecord('again.json');
    assert.equal(record.counts.held, 0);
    assert.deepEqual(await digests(HELD), newer, 'back on 0.29.0, same bytes');
  });

  it('0.29.0 run again with its own record after 0.30.0 records the hold and verifies', async () => {
    const next = await release('0.30.0', '--record', 'next.json');
    assert.equal(next.code, 0, next.stderr);
    // new.json says 0.29.0 wrote latest; since then 0.30.0 took it.
    const again = await release('0.29.0', '--record', join(work, 'new.json'));
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stderr, /\d+ checks, 0 failures/);
    assert.doesNotMatch(again.stderr, /record \S+ kept/);
    const record = await readRecord('new.json');
    const latest = record.tags.find((tag) => tag.tag === 'latest')!;
    assert.equal(latest.change, 'held');
    assert.equal(latest.newer, '0.30.0');
  });
});
