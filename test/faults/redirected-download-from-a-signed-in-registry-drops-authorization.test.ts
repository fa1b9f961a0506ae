import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyImage } from '../../src/copy/copy.js';
import { Reference } from '../../src/reference/reference.js';
import { StaticCredentials } from '../../src/registry/credentials.js';
import { newClient, privateRegistry, repoTarget } from '../copy/support.js';
import { startFaultProxy } from '../harness/fault-proxy.js';
import { seedImage } from '../harness/images.js';
import { getRegistries } from '../harness/registries.js';
import { assertEveryTagComplete, sameDigest } from './support.js';

/**
 * A registry that needs a password redirects every blob download to another
 * origin (as registries behind a CDN do): the copy completes, the registry
 * got `Authorization` on its own requests, and the other origin never did.
 */

const basic = (await getRegistries()).basic;
const [username, password] = Object.entries(basic.users ?? {})[0] ?? [];
assert.ok(username !== undefined && password !== undefined, 'basic registry has users');
const proxy = await startFaultProxy(basic.host);
const credentials = new StaticCredentials({
  [basic.host]: { username, password },
  [proxy.host]: { username, password },
});
const client = newClient({ credentials });
const destination = await privateRegistry();

test('blob downloads redirected to another origin arrive without Authorization', async () => {
  const seeded = await seedImage(
    client,
    Reference.parse(`${basic.host}/faults/redirected:v1`),
  );
  proxy.inject({ kind: 'blob-download', fault: 'redirect', first: 1000 });
  const to = repoTarget(client, destination.host, 'faults/redirected');

  const result = await copyImage(
    repoTarget(client, proxy.host, 'faults/redirected'),
    'v1',
    to,
    ['v1'],
  );

  sameDigest(result.digest, seeded.digest);
  assert.deepEqual(await assertEveryTagComplete(to), ['v1']);
  const redirected = proxy.log.filter((entry) => entry.fault === 'redirect');
  assert.ok(redirected.length >= 2, 'config and layers were redirected');
  assert.ok(
    redirected.every((entry) => entry.authorized),
    'the registry got credentials',
  );
  assert.equal(proxy.otherOriginHeaders.length, redirected.length);
  for (const headers of proxy.otherOriginHeaders) {
    assert.equal(headers.authorization, undefined);
  }
});
