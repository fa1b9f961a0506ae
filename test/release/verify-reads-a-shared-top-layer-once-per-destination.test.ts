import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ref, seedingClient, uniqueRepository } from '../cli/support.js';
import { runGantry } from '../harness/cli.js';
import { seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { toolRelease, writeToolDist } from './support.js';

/**
 * `gantry --debug release` of a base and two variants, which all hold the
 * same files layer per platform: the read-back after the last tag (from
 * the HTTP trace) checks every image's top layer, yet fetches no blob of
 * the destination twice, and finds no failure.
 */

let registry: TestRegistry;
let work = '';
let destination = '';

before(async () => {
  registry = (await getRegistries()).plain;
  const bases = uniqueRepository(registry, 'verify-top-bases');
  destination = uniqueRepository(registry, 'verify-top-out');
  const client = seedingClient(registry);
  await seedImage(client, ref(`${bases}/a:1`));
  await seedImage(client, ref(`${bases}/b:1`));
  await client.close();

  work = makeTempDir('gantry-release-verify-top-');
  await writeToolDist(work);
  const file = toolRelease(destination, [
    [`${bases}/a:1`, 'a'],
    [`${bases}/b:1`, 'b'],
  ]);
  await writeFile(join(work, 'release.yaml'), file);
});

after(() => {
  if (work !== '') removeTempDir(work);
});

test('the read-back fetches each blob of the destination once', async () => {
  const run = await runGantry(['--debug', 'release', '--version=1.0.0'], { cwd: work });
  assert.equal(run.code, 0, run.stderr.slice(-4000));
  assert.match(run.stderr, /\d+ checks, 0 failures/);

  const lines = run.stderr.split('\n');
  const lastTag = lines.findLastIndex((line) => line.startsWith('tag '));
  assert.ok(lastTag > 0, 'no tag line');
  const blobs = `/v2/${destination.slice(destination.indexOf('/') + 1)}/blobs/`;
  const gets = lines.slice(lastTag).flatMap((line) => {
    const match = /http > GET (\S+)/.exec(line);
    const path = match === null ? '' : new URL(match[1]!).pathname;
    return path.startsWith(blobs) ? [path] : [];
  });
  // Configs, provenance and the top layers of three images on two platforms.
  assert.ok(gets.length >= 6, gets.join('\n'));
  assert.deepEqual(
    gets.filter((path, at) => gets.indexOf(path) !== at),
    [],
  );
});
