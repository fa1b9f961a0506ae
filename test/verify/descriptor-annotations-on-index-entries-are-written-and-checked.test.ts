import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { VerifyReport } from '../../src/verify/types.js';
import { ref, seedingClient, uniqueRepository } from '../cli/support.js';
import { runGantry } from '../harness/cli.js';
import { OCI_INDEX } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * Release-file annotations at level `descriptor` go on each platform
 * manifest's entry in the image index (image-spec image-index.md,
 * `manifests[].annotations`), not on the attestation entries, which keep
 * BuildKit's `vnd.docker.reference.*` keys. `gantry verify` checks them:
 * an index whose entry lacks one fails with the `annotation` check.
 */
const KEY = 'com.example.entry';
const INDEX_ONLY = 'com.example.index-only';
const REFERENCE_TYPE = 'vnd.docker.reference.type';
const ENV = { SOURCE_DATE_EPOCH: '1767225600' };

interface Entry {
  digest: string;
  platform: { os: string; architecture: string };
  annotations?: Record<string, string>;
}

let registry: TestRegistry;
let repository = '';
let work = '';

before(async () => {
  registry = (await getRegistries()).plain;
  repository = uniqueRepository(registry, 'descriptor-annotations');
  work = makeTempDir('gantry-descriptor-annotations-');
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
  const file = [
    `destinations: [${repository}]`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /usr/local/bin/tool',
    'annotations:',
    `  ${KEY}: { value: per-platform, level: [descriptor] }`,
    `  ${INDEX_ONLY}: on-the-index`,
  ].join('\n');
  await writeFile(join(work, 'release.yaml'), file);
});

after(() => {
  if (work !== '') removeTempDir(work);
});

function gantry(...args: string[]) {
  return runGantry(args, { env: ENV, cwd: work });
}

async function verify() {
  const args = ['--record', join(work, 'record.json'), join(work, 'release.yaml')];
  const run = await gantry('--json', 'verify', ...args);
  assert.ok(run.stdout !== '', run.stderr);
  return { code: run.code, report: JSON.parse(run.stdout) as VerifyReport };
}

describe('descriptor-level annotations of a release', () => {
  let index: { manifests: Entry[]; annotations?: Record<string, string> };

  it('are on every platform entry of the index the registry holds', async () => {
    const run = await gantry('release', '--version=2.0.0', '--record', 'record.json');
    assert.equal(run.code, 0, run.stderr);
    const raw = await gantry('inspect', '--raw', `${repository}:latest`);
    assert.equal(raw.code, 0, raw.stderr);
    index = JSON.parse(raw.stdout);

    const platforms = index.manifests.filter((entry) => entry.platform.os !== 'unknown');
    const attestations = index.manifests.filter((e) => e.platform.os === 'unknown');
    assert.equal(platforms.length, 2);
    assert.equal(attestations.length, 2, 'one provenance manifest per platform');
    for (const entry of platforms) {
      assert.deepEqual(entry.annotations, { [KEY]: 'per-platform' });
    }
    for (const entry of attestations) {
      assert.equal(entry.annotations?.[KEY], undefined);
      assert.equal(entry.annotations?.[REFERENCE_TYPE], 'attestation-manifest');
    }
    assert.equal(index.annotations?.[KEY], undefined, 'not on the index itself');
    assert.equal(index.annotations?.[INDEX_ONLY], 'on-the-index');
  });

  it('verify passes on the release as written', async () => {
    const { code, report } = await verify();
    assert.equal(code, 0, JSON.stringify(report.failures));
    assert.deepEqual(report.failures, []);
  });

  it('verify names an index entry that lost its annotation', async () => {
    const damaged = structuredClone(index);
    const lost = damaged.manifests[1]!;
    delete lost.annotations;
    const client = seedingClient(registry);
    try {
      const bytes = Buffer.from(JSON.stringify(damaged));
      await client.putManifest(ref(`${repository}:latest`), {
        bytes,
        mediaType: OCI_INDEX,
      });
    } finally {
      await client.close();
    }

    const { code, report } = await verify();
    assert.equal(code, 7);
    const failures = report.failures.filter((f) => f.check === 'annotation');
    assert.equal(failures.length, 1, JSON.stringify(report.failures));
    assert.equal(failures[0]!.tag, 'latest');
    assert.equal(failures[0]!.expected, 'per-platform');
    assert.equal(failures[0]!.actual, undefined);
    assert.match(
      failures[0]!.message,
      new RegExp(`${KEY} on the index entry ${lost.digest}`),
    );
  });
});
