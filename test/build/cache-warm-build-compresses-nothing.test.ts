import assert from 'node:assert/strict';
import { cp, link, mkdir, readdir, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  type BuildEvent,
  type BuildResult,
  buildImages,
  type PlatformBuild,
} from '../../src/build/build-image.js';
import { defaultCacheDir } from '../../src/build/cache.js';
import { RegistryClient } from '../../src/registry/client.js';
import { tempDir } from './support.js';

// The layer cache: a warm build compresses nothing and gives the same
// digests; a cache folder copied elsewhere (CI restoring it) still hits; a
// changed file misses even with its old mtime; a damaged entry is rebuilt.

const client = new RegistryClient();
after(() => client.close());

async function context(): Promise<string> {
  const dir = await tempDir('gantry-cache-context-');
  await mkdir(join(dir, 'site', 'assets'), { recursive: true });
  await writeFile(join(dir, 'site', 'index.html'), '<h1>hi</h1>\n');
  await writeFile(join(dir, 'site', 'assets', 'app.js'), 'console.log(1)\n'.repeat(500));
  await link(join(dir, 'site', 'index.html'), join(dir, 'site', 'alias.html'));
  return dir;
}

function builds(dir: string): PlatformBuild[] {
  return ['amd64', 'arm64'].map((architecture) => ({
    platform: { os: 'linux', architecture },
    base: 'scratch',
    steps: [
      {
        kind: 'layer',
        createdBy: 'COPY site /srv',
        inputs: [{ source: join(dir, 'site'), destination: '/srv' }],
      },
      {
        kind: 'layer',
        createdBy: 'COPY version',
        inputs: [{ content: `${architecture}\n`, destination: '/srv/arch' }],
      },
    ],
  }));
}

async function build(dir: string, cacheDir: string) {
  const events: BuildEvent[] = [];
  const result: BuildResult = await buildImages(builds(dir), {
    client,
    cacheDir,
    epoch: 1_600_000_000,
    onEvent: (event) => events.push(event),
  });
  after(() => result.dispose());
  const layers = events.flatMap((e) => (e.type === 'layer' ? [e] : []));
  const compressed = layers.filter((e) => !e.cached).length;
  return { result, compressed, layers: layers.length };
}

test('a warm cache compresses nothing and gives identical digests', async () => {
  const dir = await context();
  const cache = join(await tempDir('gantry-cache-'), 'layers');
  const cold = await build(dir, cache);
  // The site layer is the same for both platforms: built once, then a hit.
  assert.equal(cold.layers, 4);
  assert.equal(cold.compressed, 3);

  const warm = await build(dir, cache);
  assert.equal(warm.compressed, 0);
  assert.equal(`${warm.result.root.digest}`, `${cold.result.root.digest}`);
});

test('a cache folder restored at another path still hits', async () => {
  const dir = await context();
  const first = join(await tempDir('gantry-cache-'), 'layers');
  const cold = await build(dir, first);
  const restored = join(await tempDir('gantry-cache-restored-'), 'elsewhere');
  await cp(first, restored, { recursive: true });

  const warm = await build(await context(), restored);
  assert.equal(warm.compressed, 0);
  assert.equal(`${warm.result.root.digest}`, `${cold.result.root.digest}`);
});

test('changed content misses even when its mtime is put back', async () => {
  const dir = await context();
  const cache = join(await tempDir('gantry-cache-'), 'layers');
  const cold = await build(dir, cache);
  const file = join(dir, 'site', 'assets', 'app.js');
  await writeFile(file, 'console.log(2)\n'.repeat(500));
  await utimes(file, 0, 0);

  const changed = await build(dir, cache);
  assert.equal(changed.compressed, 1);
  assert.notEqual(`${changed.result.root.digest}`, `${cold.result.root.digest}`);
});

test('a damaged entry is ignored and built again, with the same digest', async () => {
  const dir = await context();
  const cache = join(await tempDir('gantry-cache-'), 'layers');
  const cold = await build(dir, cache);
  const blobs = (await readdir(cache)).filter((name) => name.endsWith('.blob'));
  assert.equal(blobs.length, 3);
  for (const name of blobs) await truncate(join(cache, name), 10);
  const jsons = (await readdir(cache)).filter((name) => name.endsWith('.json'));
  await writeFile(join(cache, jsons[0]!), '{not json');

  const again = await build(dir, cache);
  assert.equal(again.compressed, 3);
  assert.equal(`${again.result.root.digest}`, `${cold.result.root.digest}`);
  assert.equal((await readdir(cache)).filter((n) => n.endsWith('.tmp')).length, 0);
});

test('the default folder follows XDG_CACHE_HOME, else ~/.cache', () => {
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/x' }), '/x/gantry/layers');
  assert.match(defaultCacheDir({}), /\/\.cache\/gantry\/layers$/);
});
