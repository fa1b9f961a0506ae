import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyImage } from '../../src/copy/copy.js';
import { MemoryLogger } from '../../src/log.js';
import { Reference } from '../../src/reference/reference.js';
import { seedImage } from '../harness/images.js';
import type { RunningRegistry } from '../harness/registries.js';
import { eventLog, newClient, privateRegistry, repoTarget } from './support.js';

// Round trips, not bytes, dominate a copy between nearby registries: a copy
// makes each request once and none whose answer it already has. Counted
// from the client's debug log (one `http > METHOD URL` line per request).

const [one, two]: RunningRegistry[] = await Promise.all([
  privateRegistry(),
  privateRegistry(),
]);

function requestLog() {
  const logger = new MemoryLogger();
  const client = newClient({ logger });
  const requests = () =>
    logger.lines.flatMap(({ message }) => {
      const match = /^http > (\w+) (\S+)/.exec(message);
      return match === null ? [] : [{ method: match[1]!, url: new URL(match[2]!) }];
    });
  const count = (method: string, host: string, path: RegExp) =>
    requests().filter(
      (r) => r.method === method && r.url.host === host && path.test(r.url.pathname),
    ).length;
  return { client, logger, count };
}

test('a fresh copy: one source HEAD, one root check, no read-back', async () => {
  const seeder = newClient();
  const seeded = await seedImage(seeder, Reference.parse(`${one.host}/fresh/app:v1`), {
    attestations: true,
  });
  const { client, count } = requestLog();
  const source = repoTarget(client, one.host, 'fresh/app');
  const destination = repoTarget(client, two.host, 'fresh/copy');

  const result = await copyImage(source, 'v1', destination, ['v1'], eventLog());
  assert.equal(`${result.digest}`, seeded.digest);
  const manifests = 1 + seeded.manifests.length + seeded.attestations.length;
  assert.equal(result.stats.manifests, manifests);

  assert.equal(count('HEAD', one.host, /\/manifests\/v1$/), 1);
  assert.equal(count('HEAD', two.host, /\/manifests\//), 1);
  assert.equal(count('GET', two.host, /\/manifests\//), 0);
  assert.equal(count('HEAD', two.host, /\/blobs\/sha256:/), seeded.blobs.length);
  assert.equal(count('GET', one.host, /\/blobs\/sha256:/), seeded.blobs.length);
  // distribution 2.8 has no referrers API: one 404 says so for the registry.
  assert.equal(count('GET', one.host, /\/referrers\//), 1);
  assert.equal(count('PUT', two.host, /\/manifests\//), manifests + 1);
});

test('a copy the destination holds: no blob request, only the tag written', async () => {
  const seeder = newClient();
  const seeded = await seedImage(seeder, Reference.parse(`${one.host}/again/app:v1`), {
    attestations: true,
  });
  const first = requestLog();
  const destinationOf = (c: typeof first) => repoTarget(c.client, two.host, 'again/copy');
  await copyImage(
    repoTarget(first.client, one.host, 'again/app'),
    'v1',
    destinationOf(first),
    ['v1'],
  );

  const { client, count } = requestLog();
  const log = eventLog();
  const source = repoTarget(client, one.host, 'again/app');
  const result = await copyImage(
    source,
    'v1',
    destinationOf({ ...first, client }),
    ['v2'],
    log,
  );
  assert.equal(`${result.digest}`, seeded.digest);
  assert.equal(result.stats.skipped, seeded.blobs.length);
  assert.equal(log.count('skipped'), seeded.blobs.length);
  assert.equal(result.stats.manifests, 0);
  assert.equal(count('HEAD', two.host, /\/blobs\//), 0);
  assert.equal(count('POST', two.host, /\/blobs\/uploads\/$/), 0);
  assert.equal(count('GET', one.host, /\/blobs\//), 0);
  assert.equal(count('PUT', two.host, /\/manifests\/v2$/), 1);
  assert.equal(count('PUT', two.host, /\/manifests\//), 1);
  const tagged = await repoTarget(client, two.host, 'again/copy').resolve('v2');
  assert.equal(`${tagged.digest}`, seeded.digest);
});
