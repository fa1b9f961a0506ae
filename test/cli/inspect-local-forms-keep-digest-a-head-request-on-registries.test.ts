import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { type SeededImage, seedImage } from '../harness/images.js';
import { getRegistries } from '../harness/registries.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * Reading every reference form through targets keeps `gantry digest` on a
 * registry what it was: HEAD requests for the manifest, no manifest or
 * blob downloaded (distribution 2.8 sends `Docker-Content-Digest`).
 */

/** The requests of a `--debug` trace (lines `http > METHOD URL`). */
function requests(trace: string): { method: string; url: string }[] {
  const found: { method: string; url: string }[] = [];
  for (const match of trace.matchAll(/http > (GET|HEAD|PUT|POST|PATCH|DELETE) (\S+)/g)) {
    found.push({ method: match[1]!, url: match[2]! });
  }
  return found;
}

describe('gantry digest on a registry', () => {
  let repository = '';
  let seeded: SeededImage;

  before(async () => {
    const registry = (await getRegistries()).plain;
    repository = uniqueRepository(registry, 'digest-head');
    seeded = await seedImage(seedingClient(registry), ref(`${repository}:1.0`));
  });

  it('asks with HEAD only and prints the index digest', async () => {
    const run = await runGantry(['--debug', 'digest', `${repository}:1.0`]);
    const manifestReads = requests(run.stderr).filter((r) =>
      r.url.includes('/manifests/'),
    );

    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${seeded.digest}\n`);
    assert.ok(manifestReads.length > 0, `no request lines in the trace:\n${run.stderr}`);
    assert.deepEqual(
      manifestReads.map((r) => r.method),
      manifestReads.map(() => 'HEAD'),
    );
    assert.equal(requests(run.stderr).filter((r) => r.url.includes('/blobs/')).length, 0);
  });

  it('--json names the canonical reference, as before', async () => {
    const run = await runGantry(['--json', 'digest', `${repository}:1.0`]);

    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      reference: `${repository}:1.0`,
      digest: seeded.digest,
      mediaType: seeded.mediaType,
      size: seeded.bytes.length,
    });
  });
});
