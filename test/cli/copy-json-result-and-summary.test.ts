import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type SeededImage, seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { gantryOn } from './copy-support.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * `gantry --json copy` writes one JSON result document on stdout and
 * nothing else; without `--json` a one-line summary goes to stderr. The
 * stats say how each blob got there: uploaded, mounted within the same
 * registry, or skipped because it was there already.
 */

interface CopyJson {
  source: string;
  destination: string;
  sourceDigest: string;
  digest: string;
  mediaType: string;
  size: number;
  changed: boolean;
  tags: string[];
  seconds: number;
  stats: {
    blobs: number;
    uploaded: number;
    mounted: number;
    skipped: number;
    bytes: number;
    manifests: number;
  };
}

describe('gantry copy results', () => {
  let registry: TestRegistry;
  let seeded: SeededImage;
  let source = '';

  before(async () => {
    registry = (await getRegistries()).plain;
    source = `${uniqueRepository(registry, 'copy-json')}:1`;
    seeded = await seedImage(seedingClient(registry), ref(source), {
      attestations: true,
    });
  });

  it('--json: one document with the digests, tags and stats; a mount in one registry', async () => {
    const destination = uniqueRepository(registry, 'copy-json-dst');
    const run = await gantryOn(registry, ['--json', 'copy', source, `${destination}:v2`]);

    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as CopyJson;
    assert.equal(result.source, source);
    assert.equal(result.destination, `${destination}:v2`);
    assert.equal(result.sourceDigest, seeded.digest);
    assert.equal(result.digest, seeded.digest);
    assert.equal(result.mediaType, seeded.mediaType);
    assert.equal(result.size, seeded.bytes.length);
    assert.equal(result.changed, false);
    assert.deepEqual(result.tags, ['v2']);
    assert.equal(typeof result.seconds, 'number');

    const distinctBlobs = new Set(seeded.blobs).size;
    assert.equal(result.stats.blobs, distinctBlobs);
    assert.equal(
      result.stats.mounted,
      distinctBlobs,
      'same registry: every blob mounted',
    );
    assert.equal(result.stats.uploaded, 0);
    assert.equal(result.stats.bytes, 0);
    // Two images, two attestations, the index.
    assert.equal(result.stats.manifests, 5);
    assert.equal(run.stderr, '', 'no summary and no progress with --json');
  });

  it('a repeat copy skips every blob and says so in the summary line', async () => {
    const destination = `${uniqueRepository(registry, 'copy-again')}:1`;
    const first = await gantryOn(registry, ['copy', source, destination]);
    assert.equal(first.code, 0, first.stderr);

    const again = await gantryOn(registry, ['copy', source, destination]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, `${destination}@${seeded.digest}\n`);
    const distinctBlobs = new Set(seeded.blobs).size;
    assert.match(
      again.stderr,
      new RegExp(
        `^copied ${seeded.digest} in \\d+\\.\\d\\d s: 0 blobs uploaded, 0 mounted, ` +
          `${distinctBlobs} skipped, 0 B sent, \\d+ manifests written\\n$`,
      ),
    );
  });

  it('no progress view when stderr is not a terminal', async () => {
    const destination = `${uniqueRepository(registry, 'copy-pipe')}:1`;
    const run = await gantryOn(registry, ['copy', source, destination]);

    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr.includes('\u001b['), false, 'no ANSI escapes on a pipe');
    assert.equal(run.stderr.trim().split('\n').length, 1);
  });
});
