import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyImage } from '../../src/copy/copy.js';
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
 * A registry-to-registry copy with a fault-injecting proxy on the source or
 * the destination side: each fault either heals through retries (same
 * digest as a fault-free copy) or fails with a GantryError naming the side;
 * no tag ever names an incomplete graph, and the same copy run again
 * without the fault completes.
 */

const client = newClient();
const faulty = newClient({ retry: FAST_RETRY, timeouts: SHORT_TIMEOUTS });
const [source, destination] = await Promise.all([privateRegistry(), privateRegistry()]);
const [sourceProxy, destinationProxy] = await Promise.all([
  startFaultProxy(source.host),
  startFaultProxy(destination.host),
]);
const seeded = await seedImage(client, Reference.parse(`${source.host}/faults/app:v1`), {
  layers: 2,
  layerSize: 64 * 1024,
});
printTallyAfter('copy');

let scenario = 0;

async function runScenario(side: 'source' | 'destination', rule: FaultRule) {
  const proxy = side === 'source' ? sourceProxy : destinationProxy;
  const repository = `faults/copy-${++scenario}`;
  const from = repoTarget(side === 'source' ? faulty : client, proxy.host, 'faults/app');
  const fromDirect = repoTarget(client, source.host, 'faults/app');
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
    const source = side === 'source' ? from : fromDirect;
    const result = await copyImage(source, 'v1', to, ['v1']);
    sameDigest(result.digest, seeded.digest);
  } catch (error) {
    failed = true;
    assertCleanFailure(error, side);
  } finally {
    proxy.inject();
  }
  tally.faults += proxy.injected - before;
  assert.ok(proxy.injected > before, `the ${rule.fault} fault was never injected`);

  await assertEveryTagComplete(check);
  const again = await copyImage(fromDirect, 'v1', check, ['v1']);
  sameDigest(again.digest, seeded.digest);
  assert.deepEqual(await assertEveryTagComplete(check), ['v1']);
  if (failed) tally.failedCleanly++;
  tally.held++;
}

for (const side of ['destination', 'source'] as const) {
  for (const rule of scenarioRules(side)) {
    test(`copy, ${side} side: ${rule.kind} answered with ${rule.fault}`, () =>
      runScenario(side, rule));
  }
}
