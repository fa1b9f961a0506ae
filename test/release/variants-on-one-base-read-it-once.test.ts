import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ref, seedingClient, uniqueRepository } from '../cli/support.js';
import { runGantry } from '../harness/cli.js';
import { seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { toolRelease, writeToolDist } from './support.js';

/**
 * `gantry --debug release --no-verify` of two variants on one two-platform
 * base, built at once: from the HTTP trace, the base's tag is asked for
 * once, its index read once, and each platform's manifest and config
 * once, however many images and platforms start from it.
 */

let registry: TestRegistry;
let work = '';
let base = '';
let destination = '';

before(async () => {
  registry = (await getRegistries()).plain;
  base = uniqueRepository(registry, 'shared-base');
  destination = uniqueRepository(registry, 'shared-base-out');
  const client = seedingClient(registry);
  await seedImage(client, ref(`${base}:1`));
  await client.close();

  work = makeTempDir('gantry-release-shared-base-');
  await writeToolDist(work);
  const file = toolRelease(destination, [
    [`${base}:1`, 'one'],
    [`${base}:1`, 'two'],
  ]);
  await writeFile(join(work, 'release.yaml'), file);
});

after(() => {
  if (work !== '') removeTempDir(work);
});

/** `METHOD path` of every request the trace shows asked (retries included). */
function asked(trace: string): string[] {
  const found: string[] = [];
  for (const line of trace.split('\n')) {
    const match = /http > ([A-Z]+) (\S+)/.exec(line);
    if (match !== null) found.push(`${match[1]} ${new URL(match[2]!).pathname}`);
  }
  return found;
}

describe('a release of two variants on one base', () => {
  let reads: string[] = [];

  before(async () => {
    const run = await runGantry(
      ['--debug', 'release', '--version=1.0.0', '--no-verify'],
      { cwd: work },
    );
    assert.equal(run.code, 0, run.stderr.slice(-4000));
    const repository = `/v2/${base.slice(base.indexOf('/') + 1)}/`;
    reads = asked(run.stderr).filter((request) => request.includes(` ${repository}`));
  });

  it('asks for the base tag once and reads its index once', () => {
    const tag = reads.filter((request) => request.endsWith('/manifests/1'));
    assert.equal(tag.length, 1, reads.join('\n'));
    const manifests = reads.filter((request) => request.includes('/manifests/sha256:'));
    // The index and one manifest per platform.
    assert.equal(manifests.length, 3, reads.join('\n'));
  });

  it('reads no manifest or blob of the base twice', () => {
    const gets = reads.filter((request) => request.startsWith('GET '));
    assert.ok(gets.some((request) => request.includes('/blobs/sha256:')));
    assert.deepEqual(
      gets.filter((request, at) => gets.indexOf(request) !== at),
      [],
    );
  });
});
