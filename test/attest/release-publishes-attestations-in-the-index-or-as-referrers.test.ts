import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAttestation } from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';
import type { ImageIndex, ImageManifest } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/mediatype.js';
import { openTarget } from '../../src/store/open-target.js';
import { runInProcess } from '../cli/run-in-process.js';
import { ref, seedingClient } from '../cli/support.js';
import { seedImage } from '../harness/images.js';
import { type RunningRegistry, startRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { readManifest, writeTools } from './support.js';

// `gantry release` with `attestations:` against a real distribution 2.8
// registry: in the index, inspect shows two platforms and two attestations
// and skopeo lists four entries; as referrers, the index keeps its two
// entries and each platform manifest's provenance is found through the
// referrers tag-schema fallback (2.8 has no referrers API).

const SKOPEO = '/usr/bin/skopeo';
const VERSION = '3.1.0';
let registry: RunningRegistry;
let work = '';

function releaseFile(name: string, repository: string, mode: string): string {
  const file = join(work, name);
  const text = [
    `destinations: [${registry.host}/${repository}]`,
    'platforms: [linux/amd64, linux/arm64]',
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /usr/local/bin/tool',
    'variants:',
    `  - from: ${registry.host}/bases/alpine:3.21`,
    '    suffixes: [alpine]',
    `attestations: { provenance: true, sbom: false, mode: ${mode} }`,
  ].join('\n');
  writeFileSync(file, text);
  return file;
}

/** Records go to the temp folder, not the working folder. */
let records = 0;
function release(file: string) {
  records += 1;
  const record = join(work, `record-${records}.json`);
  return runInProcess(['release', `--version=${VERSION}`, '--record', record, file]);
}

function rawIndex(image: string): { manifests: { digest: string }[] } {
  const text = execFileSync(
    SKOPEO,
    ['inspect', '--raw', '--tls-verify=false', `docker://${image}`],
    { encoding: 'utf8' },
  );
  return JSON.parse(text);
}

before(async () => {
  registry = await startRegistry('plain');
  const client = seedingClient(registry);
  await seedImage(client, ref(`${registry.host}/bases/alpine:3.21`));
  await client.close();
  work = makeTempDir('gantry-attest-release-');
  writeTools(work);
});

after(async () => {
  await registry?.stop();
  removeTempDir(work);
});

describe('a release with attestations in a real registry', () => {
  it('index mode: inspect: 2 platforms, 2 attestations; skopeo: 4 entries', async () => {
    const file = releaseFile('index.yaml', 'att/index', 'index');
    const released = await release(file);
    assert.equal(released.code, 0, released.stderr);

    const image = `${registry.host}/att/index:${VERSION}`;
    const inspected = await runInProcess(['--json', 'inspect', image]);
    assert.equal(inspected.code, 0, inspected.stderr);
    const document = JSON.parse(inspected.stdout);
    assert.equal(document.platforms.length, 2);
    assert.equal(document.attestations.length, 2);
    const platformDigests = document.platforms.map((p: { digest: string }) => p.digest);
    for (const attestation of document.attestations) {
      assert.ok(platformDigests.includes(attestation.for), 'attests a platform');
    }
    assert.equal(rawIndex(image).manifests.length, 4);
  });

  it("index mode: a variant's provenance names its base platform manifest", async () => {
    const base = rawIndex(`${registry.host}/bases/alpine:3.21`) as {
      manifests: { digest: string; platform?: { architecture: string } }[];
    };
    const client = seedingClient(registry);
    try {
      const { target } = await openTarget(`${registry.host}/att/index`, {
        client,
        readOnly: true,
      });
      const root = await target.resolve(`${VERSION}-alpine`);
      const index = (await readManifest(target, root)) as ImageIndex;
      const entries = index.manifests.filter(isAttestation);
      assert.equal(entries.length, 2);
      for (const [i, arch] of ['amd64', 'arm64'].entries()) {
        const manifest = (await readManifest(target, entries[i]!)) as ImageManifest;
        const bytes = await target.fetchBytes(manifest.layers[0]!);
        const statement = JSON.parse(new TextDecoder().decode(bytes));
        const [dependency] = statement.predicate.buildDefinition.resolvedDependencies;
        const expected = base.manifests.find((m) => m.platform?.architecture === arch)!;
        assert.equal(
          dependency.uri,
          `pkg:docker/${encodeURIComponent(registry.host)}/bases/alpine@3.21` +
            `?platform=linux%2F${arch}`,
        );
        assert.equal(`sha256:${dependency.digest.sha256}`, expected.digest);
      }
    } finally {
      await client.close();
    }
  });

  it('index mode: a second run changes no digest', async () => {
    const image = `${registry.host}/att/index:${VERSION}`;
    const before = rawIndex(image);
    const file = join(work, 'index.yaml');
    const again = await release(file);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(rawIndex(image), before);
  });

  it('referrers mode: each platform manifest has one provenance referrer', async () => {
    const file = releaseFile('referrers.yaml', 'att/referrers', 'referrers');
    // Twice: a re-run must not list an attestation again in the fallback index.
    for (const _run of [1, 2]) {
      const released = await release(file);
      assert.equal(released.code, 0, released.stderr);
    }

    const image = `${registry.host}/att/referrers:${VERSION}`;
    const { manifests } = rawIndex(image);
    assert.equal(manifests.length, 2);
    const client = seedingClient(registry);
    try {
      for (const entry of manifests) {
        const found = await client.referrers(ref(image), Digest.parse(entry.digest));
        assert.equal(found.length, 1);
        assert.equal(found[0]!.artifactType, MediaType.InToto);
        assert.equal(
          found[0]!.annotations?.['in-toto.io/predicate-type'],
          'https://slsa.dev/provenance/v1',
        );
      }
    } finally {
      await client.close();
    }
  });
});
