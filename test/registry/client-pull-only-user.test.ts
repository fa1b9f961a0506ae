import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import { Digest } from '../../src/oci/digest.js';
import { Reference } from '../../src/reference/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { StaticCredentials } from '../../src/registry/credentials.js';
import { getRegistries } from '../harness/registries.js';
import { TEST_USERS } from '../harness/users.js';

// On the token registry bob may only pull: his pushes fail with an auth
// error, and a mount he may not do reports "not mounted" so the caller's
// fallback (an upload) gives the real error.

function clientAs(host: string, user: 'alice' | 'bob'): RegistryClient {
  const credentials = new StaticCredentials();
  credentials.set(host, { username: user, password: TEST_USERS[user] });
  return new RegistryClient({ credentials });
}

test('a pull-only user reads what alice pushed but cannot push or mount', async () => {
  const registry = (await getRegistries()).token;
  const alice = clientAs(registry.host, 'alice');
  const bob = clientAs(registry.host, 'bob');
  const name = `registry-test/pull-only-${randomBytes(4).toString('hex')}`;
  const repo = Reference.parseRepository(`${registry.host}/${name}`);
  const bytes = randomBytes(100);
  const descriptor = { digest: Digest.of(bytes), size: bytes.length };
  try {
    assert.equal(await alice.uploadBlob(repo, descriptor, bytes), 'uploaded');
    assert.deepEqual(await bob.headBlob(repo, descriptor.digest), { size: 100 });

    const own = Reference.parseRepository(`${registry.host}/${name}-bob`);
    assert.equal(await bob.mountBlob(own, descriptor.digest, repo), false);
    const other = randomBytes(50);
    await assert.rejects(
      bob.uploadBlob(own, { digest: Digest.of(other), size: 50 }, other),
      (e) =>
        isGantryError(e, 'GANTRY_E_UNAUTHORIZED') || isGantryError(e, 'GANTRY_E_DENIED'),
    );
  } finally {
    await alice.close();
    await bob.close();
  }
});
