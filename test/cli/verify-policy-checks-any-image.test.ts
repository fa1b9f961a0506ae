import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { VerifyReport } from '../../src/verify/types.js';
import { type RunningRegistry, startRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { runInProcess } from './run-in-process.js';
import { seedingClient } from './support.js';
import { seedComparedImages, Tamper } from './verify-support.js';

/**
 * `gantry verify` with policy flags or a policy file, without a release:
 * an OCI image holding the policy passes (exit 0); its Docker v2
 * conversion, a copy without linux/arm64 and an image without attestations
 * each fail the matching check (exit 7), all failures listed.
 */

let registry: RunningRegistry;
let tamper: Tamper;
let work = '';

const POLICY = [
  '--oci-only',
  '--require-platform',
  'linux/arm64',
  '--require-annotation',
  'org.opencontainers.image.version=2.0.0',
];

before(async () => {
  registry = await startRegistry('plain');
  tamper = new Tamper(seedingClient(registry), registry.host, 'policy/app');
  await seedComparedImages(tamper);
  work = makeTempDir('gantry-verify-policy-');
});

after(async () => {
  await tamper?.client.close();
  await registry?.stop();
  if (work !== '') removeTempDir(work);
});

async function verify(tag: string, ...flags: string[]) {
  const image = `${registry.host}/policy/app:${tag}`;
  const json = await runInProcess(['--json', 'verify', ...flags, image]);
  const text = await runInProcess(['verify', ...flags, image]);
  return { code: json.code, report: JSON.parse(json.stdout) as VerifyReport, text };
}

function checks(report: VerifyReport): string[] {
  return report.failures.map((failure) => failure.check).sort();
}

describe('gantry verify --policy on any image', () => {
  it('an OCI image holding the policy passes', async () => {
    const { code, report, text } = await verify('oci', ...POLICY);
    assert.equal(code, 0, text.stdout);
    assert.equal(report.ok, true);
    assert.match(text.stdout, /^\d+ checks, 0 failures$/m);
  });

  it('its Docker v2 conversion fails OCI-only and the annotation', async () => {
    const { code, report, text } = await verify('docker', ...POLICY);
    assert.equal(code, 7);
    assert.deepEqual(checks(report), ['annotation', 'docker-media-type']);
    assert.match(
      text.stdout,
      /docker-media-type .*policy\/app:docker: Docker v2 media types: expected OCI only/,
    );
  });

  it('a copy without linux/arm64 fails the required platform', async () => {
    const { code, report } = await verify('one', ...POLICY);
    assert.equal(code, 7);
    assert.deepEqual(checks(report), ['platforms']);
    assert.equal(report.failures[0]!.expected, 'linux/arm64');
    assert.equal(report.failures[0]!.actual, 'linux/amd64');
  });

  it('a policy file requiring attestations fails an image without any', async () => {
    const file = join(work, 'policy.json');
    await writeFile(file, JSON.stringify({ requireAttestations: true, ociOnly: true }));
    const { code, report } = await verify('oci', '--policy', file);
    assert.equal(code, 7);
    assert.deepEqual(checks(report), ['attestation-missing']);
  });
});
