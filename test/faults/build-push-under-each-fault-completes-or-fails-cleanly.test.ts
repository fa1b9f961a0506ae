import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { buildImages, pushBuild } from '../../src/build/build-image.js';
import { Reference } from '../../src/reference/reference.js';
import { newClient, privateRegistry, repoTarget } from '../copy/support.js';
import { type FaultRule, startFaultProxy } from '../harness/fault-proxy.js';
import { seedImage } from '../harness/images.js';
import {
  assertCleanFailure,
  assertEveryTagComplete,
  FAST_RETRY,
  printTallyAfter,
  SHORT_TIMEOUTS,
  sameDigest,
  scenarioRules,
  tally,
} from './support.js';

/**
 * An image built on a registry base and pushed to another registry, with a
 * fault-injecting proxy on the base's side (base layers stream from it
 * during the push) or on the destination's: the push heals through retries
 * or fails naming the side, leaves no tag on incomplete content, and the
 * same push run again completes with the fault-free digest.
 */

const client = newClient();
const faulty = newClient({ retry: FAST_RETRY, timeouts: SHORT_TIMEOUTS });
const [base, destination] = await Promise.all([privateRegistry(), privateRegistry()]);
const [baseProxy, destinationProxy] = await Promise.all([
  startFaultProxy(base.host),
  startFaultProxy(destination.host),
]);
await seedImage(client, Reference.parse(`${base.host}/faults/base:1`), {
  layers: 2,
  layerSize: 64 * 1024,
});
const built = await buildImages(
  ['amd64', 'arm64'].map((architecture) => ({
    platform: { os: 'linux', architecture },
    base: `${baseProxy.host}/faults/base:1`,
    steps: [
      {
        kind: 'layer' as const,
        createdBy: 'COPY app /app',
        inputs: [{ content: `app ${architecture}\n`, destination: '/app' }],
      },
    ],
  })),
  { client: faulty, cacheDir: false, epoch: 0 },
);
after(() => built.dispose());
const expected = `${built.root.digest}`;
printTallyAfter('build and push');

let scenario = 0;

async function runScenario(side: 'source' | 'destination', rule: FaultRule) {
  const proxy = side === 'source' ? baseProxy : destinationProxy;
  const repository = `faults/build-${++scenario}`;
  const toHost = side === 'destination' ? destinationProxy.host : destination.host;
  const to = repoTarget(side === 'destination' ? faulty : client, toHost, repository);
  const check = repoTarget(client, destination.host, repository);

  // Counted first: a scenario that throws shows as one that did not hold.
  tally.scenarios++;
  if (rule.kind === 'blob-upload-data') tally.uploadData++;
  const before = proxy.injected;
  proxy.inject(rule);
  let failed = false;
  try {
    sameDigest((await pushBuild(built, to, ['1.0'])).digest, expected);
  } catch (error) {
    failed = true;
    assertCleanFailure(error, side);
  } finally {
    proxy.inject();
  }
  tally.faults += proxy.injected - before;
  assert.ok(proxy.injected > before, `the ${rule.fault} fault was never injected`);

  await assertEveryTagComplete(check);
  sameDigest((await pushBuild(built, check, ['1.0'])).digest, expected);
  assert.deepEqual(await assertEveryTagComplete(check), ['1.0']);
  if (failed) tally.failedCleanly++;
  tally.held++;
}

const sourceRules = scenarioRules('source').filter(
  (rule) => rule.kind === 'blob-download',
);
for (const [side, rules] of [
  ['destination', scenarioRules('destination')],
  ['source', sourceRules],
] as const) {
  for (const rule of rules) {
    test(`build and push, ${side} side: ${rule.kind} answered with ${rule.fault}`, () =>
      runScenario(side, rule));
  }
}
