import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Digest } from '../../src/oci/digest.js';
import { Reference } from '../../src/reference/reference.js';
import type { ClientSession } from '../../src/registry/client.js';
import { createSession } from '../../src/registry/session.js';
import { uploadBlob } from '../../src/registry/upload.js';
import { fetchSession, startScripted } from '../harness/scripted.js';

// Field case BR-19: an upload Location is resolved against the URL that
// answered (after redirects), and its query is kept with `digest` appended.

const BLOB = Buffer.from('hello, registry');
const DIGEST = Digest.of(BLOB);
const DIGEST_QUERY = `digest=${encodeURIComponent(DIGEST.toString())}`;
const HEAD = {
  method: 'HEAD',
  path: `/v2/org/app/blobs/${DIGEST}`,
  reply: () => ({ status: 404 }),
};
const CREATED = () => ({
  status: 201,
  headers: { 'docker-content-digest': `${DIGEST}` },
});

test('a relative Location keeps its query and gets the digest appended', async () => {
  const location =
    '/v2/org/app/blobs/uploads/e10c4f3b?_nouploadcache=false&_state=abc%3D';
  const server = await startScripted([
    HEAD,
    {
      method: 'POST',
      path: '/v2/org/app/blobs/uploads/',
      reply: () => ({ status: 202, headers: { location } }),
    },
    { method: 'PUT', path: `${location}&${DIGEST_QUERY}`, reply: CREATED },
  ]);
  try {
    const repo = Reference.parseRepository(`${server.host}/org/app`);
    const descriptor = { digest: DIGEST, size: BLOB.length };
    const result = await uploadBlob(fetchSession(server.url), repo, descriptor, BLOB);

    assert.equal(result, 'uploaded');
    server.assertDone();
    assert.equal(`${server.requests.at(-1)?.body}`, 'hello, registry');
  } finally {
    await server.close();
  }
});

const SESSIONS: [string, (host: string, url: string) => ClientSession][] = [
  ['a plain fetch session', (_, url) => fetchSession(url)],
  ['the real session', (host) => createSession(host, { retry: { attempts: 1 } })],
];

for (const [name, sessionFor] of SESSIONS) {
  test(`after a redirect a relative Location is on the new host (${name})`, async () => {
    const second = await startScripted([
      {
        method: 'POST',
        path: '/v2/org/app/blobs/uploads/',
        reply: () => ({
          status: 202,
          headers: { location: '/v2/org/app/blobs/uploads/u1' },
        }),
      },
      {
        method: 'PUT',
        path: `/v2/org/app/blobs/uploads/u1?${DIGEST_QUERY}`,
        reply: CREATED,
      },
    ]);
    const first = await startScripted([
      HEAD,
      {
        method: 'POST',
        path: '/v2/org/app/blobs/uploads/',
        reply: () => ({
          status: 307,
          headers: { location: `${second.url}/v2/org/app/blobs/uploads/` },
        }),
      },
    ]);
    try {
      const repo = Reference.parseRepository(`${first.host}/org/app`);
      const descriptor = { digest: DIGEST, size: BLOB.length };
      const session = sessionFor(first.host, first.url);
      await uploadBlob(session, repo, descriptor, BLOB);
      await session.close?.();

      first.assertDone();
      second.assertDone();
      assert.equal(`${second.requests.at(-1)?.body}`, 'hello, registry');
    } finally {
      await first.close();
      await second.close();
    }
  });
}
