import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { OCI_INDEX, type SeededImage, seedImage } from '../harness/images.js';
import { type RunningRegistry, startRegistry } from '../harness/registries.js';
import { runInProcess } from './run-in-process.js';
import { ref, seedingClient } from './support.js';

/**
 * `gantry index create DST --from REF...` against a real registry: the
 * platform entries of an index (its attestation entries left out) and a
 * bare manifest from another repository become one OCI index in a third,
 * each entry's descriptor as the source had it, with index and
 * per-descriptor annotations, tagged by DST and --tag; skopeo reads every
 * platform from it. Duplicate platforms and unwritable annotation levels
 * are refused before anything is written.
 */
const SKOPEO = '/usr/bin/skopeo';
let registry: RunningRegistry;
let multi: SeededImage;
let single: SeededImage;

before(async () => {
  registry = await startRegistry('plain');
  const client = seedingClient(registry);
  multi = await seedImage(client, ref(`${registry.host}/src/a:multi`), {
    attestations: true,
  });
  single = await seedImage(client, ref(`${registry.host}/src/b:one`), {
    platforms: ['linux/s390x'],
  });
  await client.close();
});

after(async () => {
  await registry?.stop();
});

function raw(image: string): {
  mediaType: string;
  annotations?: Record<string, string>;
  manifests: {
    digest: string;
    platform: { os: string; architecture: string };
    annotations?: Record<string, string>;
  }[];
} {
  return JSON.parse(
    execFileSync(
      SKOPEO,
      ['inspect', '--raw', '--tls-verify=false', `docker://${image}`],
      {
        encoding: 'utf8',
      },
    ),
  );
}

describe('gantry index create', () => {
  it('merges an index and a bare manifest into one annotated OCI index', async () => {
    const bare = single.manifests[0]!.digest;
    const run = await runInProcess([
      'index',
      'create',
      `${registry.host}/dst/app:v1`,
      '--from',
      `${registry.host}/src/a:multi`,
      '--from',
      `${registry.host}/src/b@${bare}`,
      '--annotation',
      'org.opencontainers.image.description=Demo',
      '--annotation',
      'manifest-descriptor:com.example.entry=yes',
      '--tag',
      'latest',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const digest = run.stdout.trim();

    const index = raw(`${registry.host}/dst/app:v1`);
    assert.equal(index.mediaType, OCI_INDEX);
    assert.deepEqual(index.annotations, {
      'org.opencontainers.image.description': 'Demo',
    });
    assert.deepEqual(
      index.manifests.map((m) => [
        m.digest,
        `${m.platform.os}/${m.platform.architecture}`,
      ]),
      [
        [multi.manifests[0]!.digest, 'linux/amd64'],
        [multi.manifests[1]!.digest, 'linux/arm64'],
        [bare, 'linux/s390x'],
      ],
    );
    for (const entry of index.manifests) {
      assert.equal(entry.annotations?.['com.example.entry'], 'yes');
    }
    const latest = await runInProcess(['digest', `${registry.host}/dst/app:latest`]);
    assert.equal(latest.stdout.trim(), digest);

    // Every child and its blobs are in dst/app: skopeo copies the s390x image.
    execFileSync(SKOPEO, [
      'inspect',
      '--tls-verify=false',
      '--override-arch',
      's390x',
      `docker://${registry.host}/dst/app:v1`,
    ]);
  });

  it('refuses a platform named twice and writes nothing', async () => {
    const run = await runInProcess([
      'index',
      'create',
      `${registry.host}/dst/twice:v1`,
      '--from',
      `${registry.host}/src/a:multi`,
      '--from',
      `${registry.host}/src/a@${multi.manifests[1]!.digest}`,
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /platform linux\/arm64 comes from both/);
    const tags = await runInProcess(['tags', `${registry.host}/dst/twice`]);
    assert.notEqual(tags.code, 0);
  });

  it('refuses an annotation level it cannot write', async () => {
    const run = await runInProcess([
      'index',
      'create',
      `${registry.host}/dst/app:v2`,
      '--from',
      `${registry.host}/src/a:multi`,
      '--annotation',
      'manifest:com.example.k=v',
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /manifest:com\.example\.k=v names a level/);
  });
});
