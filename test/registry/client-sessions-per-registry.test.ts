import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Digest } from '../../src/oci/digest.js';
import { Reference } from '../../src/reference/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { fetchSession, startScripted } from '../harness/scripted.js';

// The client makes one session per registry and keeps it: tokens and
// connections are reused across calls on the same registry.

test('one session is made per registry and reused by every call on it', async () => {
  const digest = Digest.of(Buffer.from('x'));
  const server = await startScripted([
    { method: 'HEAD', path: `/v2/a/blobs/${digest}`, reply: () => ({ status: 404 }) },
    { method: 'HEAD', path: `/v2/b/blobs/${digest}`, reply: () => ({ status: 404 }) },
    {
      method: 'GET',
      path: '/v2/a/tags/list',
      reply: () => ({ status: 200, body: '{"name":"a","tags":["1"]}' }),
    },
  ]);
  try {
    const made: string[] = [];
    const client = new RegistryClient(undefined, (registry) => {
      made.push(registry);
      return fetchSession(server.url);
    });
    const a = Reference.parseRepository(`${server.host}/a`);
    const b = Reference.parseRepository(`${server.host}/b`);

    assert.equal(await client.headBlob(a, digest), undefined);
    assert.equal(await client.headBlob(b, digest), undefined);
    assert.deepEqual(await client.listTags(a), ['1']);
    assert.equal(
      client.session('other.example:5000'),
      client.session('other.example:5000'),
    );

    assert.deepEqual(made, [server.host, 'other.example:5000']);
    server.assertDone();
    await client.close();
  } finally {
    await server.close();
  }
});
