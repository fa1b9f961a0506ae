import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { BuildResult } from '../../src/build/build-image.js';
import { isAttestation } from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';
import type { ImageManifest } from '../../src/oci/manifest.js';
import { RegistryClient } from '../../src/registry/client.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { buildAttested, CREATED, readManifest, VERSION, writeTools } from './support.js';

// The provenance statement: SLSA v1's required fields, inputs with their
// digests, times from the plan, the same bytes on every run, and nothing
// from the machine (no folder of the release, no home folder).

const client = new RegistryClient();
const dirs: string[] = [];
const results: BuildResult[] = [];

after(async () => {
  await Promise.all(results.map((r) => r.dispose()));
  await client.close();
  for (const dir of dirs) removeTempDir(dir);
});

/** Each run in its own folder: the folder must not reach any digest. */
async function run(sbom = false, destinations?: string[]): Promise<BuildResult> {
  const dir = makeTempDir('gantry-attest-provenance-');
  dirs.push(dir);
  writeTools(dir);
  const settings = { provenance: true, sbom, mode: 'index' as const };
  const result = await buildAttested(client, dir, settings, destinations);
  results.push(result);
  return result;
}

/** Parsed statement JSON, read field by field by the assertions. */
// biome-ignore lint/suspicious/noExplicitAny: any mismatch fails an assertion below
type Parsed = any;

async function statements(
  result: BuildResult,
): Promise<{ text: string; json: Parsed }[]> {
  const out = [];
  for (const entry of result.index!.manifests.filter(isAttestation)) {
    const manifest = (await readManifest(result.staging, entry)) as ImageManifest;
    for (const layer of manifest.layers) {
      const text = new TextDecoder().decode(await result.staging.fetchBytes(layer));
      out.push({ text, json: JSON.parse(text) });
    }
  }
  return out;
}

describe('SLSA provenance of a release image', () => {
  let first: BuildResult;
  before(async () => {
    first = await run();
  });

  it('is the same index, byte for byte, from other folders or destinations', async () => {
    const second = await run(false, ['other.example/elsewhere/tool']);
    assert.equal(`${second.root.digest}`, `${first.root.digest}`);
    assert.deepEqual(await statements(second), await statements(first));
  });

  it('has SLSA v1 required fields, inputs with digests, the plan time', async () => {
    const all = await statements(first);
    assert.equal(all.length, 2);
    for (const [i, { json }] of all.entries()) {
      const arch = ['amd64', 'arm64'][i]!;
      assert.equal(json.predicateType, 'https://slsa.dev/provenance/v1');
      const { buildDefinition, runDetails } = json.predicate;
      assert.match(buildDefinition.buildType, /^https:\/\//);
      assert.deepEqual(buildDefinition.externalParameters, {
        file: 'release.yaml',
        image: 'base',
        platform: `linux/${arch}`,
        version: VERSION,
      });
      const tool = new TextEncoder().encode(`#!/bin/sh\necho ${arch}\n`);
      assert.deepEqual(buildDefinition.resolvedDependencies, [
        { name: '/usr/bin/tool', digest: { sha256: Digest.of(tool).hex } },
      ]);
      assert.match(runDetails.builder.id, /^https:\/\//);
      assert.equal(runDetails.metadata.startedOn, CREATED);
      assert.equal(runDetails.metadata.finishedOn, CREATED);
      assert.equal(typeof runDetails.metadata.invocationId, 'string');
    }
  });

  it('names no folder of this machine', async () => {
    for (const { text } of await statements(first)) {
      for (const dir of dirs) assert.ok(!text.includes(dir), 'release folder leaked');
      assert.ok(!text.includes(homedir()), 'home folder leaked');
      assert.ok(!text.includes('/tmp/'), 'temp folder leaked');
    }
  });

  it('with sbom: an SPDX 2.3 document of the placed files, too', async () => {
    const withSbom = await run(true);
    const all = await statements(withSbom);
    const spdx = all.filter(
      ({ json }) => json.predicateType === 'https://spdx.dev/Document',
    );
    assert.equal(spdx.length, 2);
    const document = spdx[0]!.json.predicate;
    assert.equal(document.spdxVersion, 'SPDX-2.3');
    assert.equal(document.creationInfo.created, CREATED);
    assert.deepEqual(
      document.files.map((f: { fileName: string }) => f.fileName),
      ['/usr/bin/tool'],
    );
    assert.notEqual(`${withSbom.root.digest}`, `${first.root.digest}`);
  });
});
