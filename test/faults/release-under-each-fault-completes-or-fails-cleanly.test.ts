import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { executeRelease } from '../../src/release/execute.js';
import { parseReleaseFile } from '../../src/release/file.js';
import { planRelease } from '../../src/release/plan.js';
import { parseVersion } from '../../src/release/version.js';
import { newClient, privateRegistry, repoTarget } from '../copy/support.js';
import { type FaultRule, startFaultProxy } from '../harness/fault-proxy.js';
import {
  assertCleanFailure,
  assertEveryTagComplete,
  FAST_RETRY,
  printTallyAfter,
  SHORT_TIMEOUTS,
  scenarioRules,
  tally,
} from './support.js';

/**
 * A release to a registry behind a fault-injecting proxy: each fault heals
 * through retries (the fault-free digest under every planned tag) or fails
 * naming the destination side; no tag names incomplete content, and the
 * same release run again without the fault ends with every planned tag.
 */

const client = newClient();
const faulty = newClient({ retry: FAST_RETRY, timeouts: SHORT_TIMEOUTS });
const destination = await privateRegistry();
const proxy = await startFaultProxy(destination.host);
const work = await mkdtemp(join(tmpdir(), 'gantry-faults-release-'));
after(() => rm(work, { recursive: true, force: true }));
for (const arch of ['amd64', 'arm64']) {
  await mkdir(join(work, 'dist', arch), { recursive: true });
  await writeFile(join(work, 'dist', arch, 'tool'), `tool for ${arch}\n`);
}
printTallyAfter('release');

function plan(host: string, repository: string) {
  const text = [
    `destinations: [${host}/${repository}]`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /tool',
  ].join('\n');
  return planRelease(parseReleaseFile(text), {
    version: parseVersion('3.1.4', 'semver'),
  });
}

async function release(host: string, repository: string, through = client) {
  const outcome = await executeRelease(plan(host, repository), {
    client: through,
    baseDir: work,
    cacheDir: false,
  });
  return outcome.images.map((image) => `${image.digest}`);
}

/** Tags of a fault-free release; digests depend on where it goes, tags do not. */
await release(destination.host, 'faults/release-clean');
const expectedTags = (
  await repoTarget(client, destination.host, 'faults/release-clean').tags()
).sort();

let scenario = 0;

async function runScenario(rule: FaultRule) {
  const repository = `faults/release-${++scenario}`;
  const check = repoTarget(client, destination.host, repository);

  // Counted first: a scenario that throws shows as one that did not hold.
  tally.scenarios++;
  if (rule.kind === 'blob-upload-data') tally.uploadData++;
  const before = proxy.injected;
  proxy.inject(rule);
  let digests: string[] | undefined;
  try {
    digests = await release(proxy.host, repository, faulty);
  } catch (error) {
    assertCleanFailure(error, 'destination');
  } finally {
    proxy.inject();
  }
  tally.faults += proxy.injected - before;
  assert.ok(proxy.injected > before, `the ${rule.fault} fault was never injected`);

  await assertEveryTagComplete(check);
  // The re-run, without the fault, gives the fault-free digests.
  const again = await release(proxy.host, repository);
  if (digests !== undefined) assert.deepEqual(digests, again);
  assert.deepEqual((await assertEveryTagComplete(check)).sort(), expectedTags);
  if (digests === undefined) tally.failedCleanly++;
  tally.held++;
}

const rules: FaultRule[] = [
  ...scenarioRules('destination'),
  { kind: 'manifest-get', fault: 'status-503' },
  { kind: 'manifest-get', fault: 'stall' },
];
for (const rule of rules) {
  test(`release: ${rule.kind} answered with ${rule.fault}`, () => runScenario(rule));
}
