import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOCK_FILE_NAME } from '../../src/store/layout-lock.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import { type GantryRun, runGantry } from '../harness/cli.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { writeToolDist } from './support.js';

// Two releases of different versions into one layout at once: both plan
// from the empty layout, so both plan the shared tags (`1`, `latest`) as
// new. The first to write a shared tag wins; the other finds it there
// under the layout's lock, stops with GANTRY_E_TAG_MOVED and writes no
// more tags. The test holds the layout's lock itself until both have
// pushed their content, so both really have planned before either tags.

const VERSIONS = ['1.4.2', '1.5.0'];
/** Between looks at the layout while both releases push their content. */
const POLL_MS = 20;
let work = '';
let layout = '';

before(async () => {
  work = makeTempDir('gantry-release-race-');
  layout = join(work, 'out');
  await OciLayoutTarget.open(layout, { create: true });
  for (const version of VERSIONS) {
    const folder = join(work, version);
    await mkdir(folder);
    await writeToolDist(folder);
    const file = [`destinations: [oci:${layout}]`, 'base:', '  files:'];
    file.push('    - from: dist/$TARGETARCH/tool', '      to: /tool');
    await writeFile(join(folder, 'release.yaml'), file.join('\n'));
  }
});

after(() => removeTempDir(work));

/** The versions whose root index is in the layout's blobs. */
async function pushedVersions(): Promise<Set<string>> {
  const found = new Set<string>();
  const folder = join(layout, 'blobs', 'sha256');
  for (const name of await readdir(folder).catch(() => [])) {
    const text = await readFile(join(folder, name), 'utf8').catch(() => '');
    const version = /"org\.opencontainers\.image\.version":"([^"]+)"/.exec(text);
    if (version !== null && text.includes('"manifests"')) found.add(version[1]!);
  }
  return found;
}

async function layoutTags(): Promise<Map<string, string>> {
  const target = await OciLayoutTarget.open(layout, { readOnly: true });
  const tags = new Map<string, string>();
  for (const tag of await target.tags()) {
    tags.set(tag, (await target.resolve(tag)).digest.toString());
  }
  return tags;
}

test('one release writes all its tags, the other stops on a moved tag', async () => {
  const lock = join(layout, LOCK_FILE_NAME);
  const owner = { pid: process.pid, host: hostname(), token: 'the-test' };
  await writeFile(lock, JSON.stringify(owner), { flag: 'wx' });

  let finished = 0;
  const runs = VERSIONS.map((version) =>
    runGantry(['release', `--version=${version}`, 'release.yaml'], {
      cwd: join(work, version),
    }).finally(() => finished++),
  );
  while (finished === 0 && (await pushedVersions()).size < VERSIONS.length) {
    await sleep(POLL_MS);
  }
  await rm(lock);
  const results: GantryRun[] = await Promise.all(runs);

  const won = results.filter((run) => run.code === 0);
  const lost = results.filter((run) => run.code !== 0);
  assert.equal(won.length, 1, results.map((run) => run.stderr).join('\n---\n'));
  assert.equal(lost.length, 1);
  assert.match(lost[0]!.stderr, /GANTRY_E_TAG_MOVED/);
  assert.match(lost[0]!.stderr, /tag (1|latest) in oci:\S+ moved to sha256:/);

  const winner = VERSIONS[results.indexOf(won[0]!)]!;
  const loser = VERSIONS[results.indexOf(lost[0]!)]!;
  const record = JSON.parse(
    await readFile(join(work, winner, 'gantry-release-record.json'), 'utf8'),
  ) as { images: { digest: string }[] };
  const image = record.images[0]!.digest;

  const tags = await layoutTags();
  const [major, minor] = winner.split('.');
  for (const tag of [winner, `${major}.${minor}`, major!, 'latest']) {
    assert.equal(tags.get(tag), image, `tag ${tag}`);
  }
  // What the loser wrote before it stopped is only its own version's tags.
  const own = new Set([loser, loser.split('.').slice(0, 2).join('.')]);
  for (const [tag, digest] of tags) {
    if (digest !== image) assert.ok(own.has(tag), `${tag} names the losing image`);
  }
});
