import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { Digest } from '../../src/oci/digest.js';
import { Reference } from '../../src/reference/reference.js';
import { uploadBlob } from '../../src/registry/upload.js';
import { fetchSession, startScripted } from '../harness/scripted.js';

// Field case BR-20: a 10-byte blob in 4-byte chunks. gantry sends every byte
// in PATCH requests (0-3, 4-7, 8-9, inclusive at both ends) and closes the
// upload with an empty `PUT ?digest=`.

const BLOB = Buffer.from('0123456789');
const DIGEST = Digest.of(BLOB);
const UPLOADS = '/v2/org/app/blobs/uploads';

function patchStep(state: string, next: string, range: string) {
  return {
    method: 'PATCH',
    path: `${UPLOADS}/u1?_state=${state}`,
    reply: () => ({
      status: 202,
      headers: { location: `${UPLOADS}/u1?_state=${next}`, range },
    }),
  };
}

test('chunks go with inclusive Content-Range, then an empty final PUT', async () => {
  const server = await startScripted([
    {
      method: 'HEAD',
      path: `/v2/org/app/blobs/${DIGEST}`,
      reply: () => ({ status: 404 }),
    },
    {
      method: 'POST',
      path: `${UPLOADS}/`,
      // Range 0-0 right after POST means nothing is held yet.
      reply: () => ({
        status: 202,
        headers: { location: `${UPLOADS}/u1?_state=s0`, range: '0-0' },
      }),
    },
    patchStep('s0', 's1', '0-3'),
    // Some registries prefix the range with `bytes=`.
    patchStep('s1', 's2', 'bytes=0-7'),
    patchStep('s2', 's3', '0-9'),
    {
      method: 'PUT',
      path: `${UPLOADS}/u1?_state=s3&digest=${encodeURIComponent(DIGEST.toString())}`,
      reply: () => ({ status: 201, headers: { 'docker-content-digest': `${DIGEST}` } }),
    },
  ]);
  try {
    const repo = Reference.parseRepository(`${server.host}/org/app`);
    const source = { open: (offset: number) => Readable.from([BLOB.subarray(offset)]) };
    const result = await uploadBlob(
      fetchSession(server.url),
      repo,
      { digest: DIGEST, size: BLOB.length },
      source,
      { chunkSize: 4 },
    );

    assert.equal(result, 'uploaded');
    server.assertDone();
    const sent = server.requests.filter(
      (r) => r.method === 'PATCH' || r.method === 'PUT',
    );
    assert.deepEqual(
      sent.map((r) => [
        r.headers['content-range'],
        r.headers['content-length'],
        `${r.body}`,
      ]),
      [
        ['0-3', '4', '0123'],
        ['4-7', '4', '4567'],
        ['8-9', '2', '89'],
        [undefined, '0', ''],
      ],
    );
  } finally {
    await server.close();
  }
});

test('a byte array over the monolithic limit is uploaded in chunks too', async () => {
  const server = await startScripted([
    {
      method: 'HEAD',
      path: `/v2/org/app/blobs/${DIGEST}`,
      reply: () => ({ status: 404 }),
    },
    {
      method: 'POST',
      path: `${UPLOADS}/`,
      reply: () => ({ status: 202, headers: { location: `${UPLOADS}/u1?_state=s0` } }),
    },
    patchStep('s0', 's1', '0-5'),
    patchStep('s1', 's2', '0-9'),
    {
      method: 'PUT',
      path: /^\/v2\/org\/app\/blobs\/uploads\/u1\?_state=s2&digest=sha256/,
      reply: () => ({ status: 201 }),
    },
  ]);
  try {
    const repo = Reference.parseRepository(`${server.host}/org/app`);
    await uploadBlob(fetchSession(server.url), repo, { digest: DIGEST, size: 10 }, BLOB, {
      chunkSize: 6,
      monolithicLimit: 4,
    });
    server.assertDone();
    const ranges = server.requests.map((r) => r.headers['content-range']);
    assert.deepEqual(ranges.filter(Boolean), ['0-5', '6-9']);
  } finally {
    await server.close();
  }
});
