import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { test } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import { Digest } from '../../src/oci/digest.js';
import { Reference } from '../../src/reference/reference.js';
import { getBlob, headBlob, MAX_BLOB_RESUMES } from '../../src/registry/blobs.js';
import { createSession } from '../../src/registry/session.js';
import type { RegistrySession } from '../../src/registry/types.js';
import { fetchSession, type Step, startScripted } from '../harness/scripted.js';

// Every blob read is checked against the descriptor: size and digest, with
// distinct errors for short reads, trailing data and wrong bytes; a dropped
// connection is continued with Range.

const BLOB = Buffer.from('0123456789');
const DIGEST = Digest.of(BLOB);
const PATH = `/v2/org/app/blobs/${DIGEST}`;

async function read(
  steps: Step[],
  offset?: number,
  sessionFor: (host: string, url: string) => RegistrySession = (_, url) =>
    fetchSession(url),
): Promise<Buffer> {
  const server = await startScripted(steps);
  try {
    const repo = Reference.parseRepository(`${server.host}/org/app`);
    const descriptor = { digest: DIGEST, size: BLOB.length };
    const session = sessionFor(server.host, server.url);
    const stream: Readable = await getBlob(session, repo, descriptor, {
      ...(offset === undefined ? {} : { offset }),
    });
    const bytes = Buffer.concat(await stream.toArray());
    server.assertDone();
    await (session as { close?(): Promise<void> }).close?.();
    return bytes;
  } finally {
    await server.close();
  }
}

function whole(body: Buffer | string, headers: Record<string, string> = {}): Step {
  return { method: 'GET', path: PATH, reply: () => ({ status: 200, headers, body }) };
}

function ranged(from: number, contentRange: string): Step {
  return {
    method: 'GET',
    path: PATH,
    reply: (req) => {
      assert.equal(req.headers.range, `bytes=${from}-`);
      return {
        status: 206,
        headers: { 'content-range': contentRange },
        body: BLOB.subarray(from),
      };
    },
  };
}

const CHUNKED = { 'transfer-encoding': 'chunked' };

test('a read that drops mid-body continues with Range from the bytes held', async () => {
  const dropped: Step = {
    method: 'GET',
    path: PATH,
    reply: () => ({ status: 200, body: BLOB, dropAfter: 4 }),
  };
  assert.deepEqual(await read([dropped, ranged(4, 'bytes 4-9/10')]), BLOB);
});

test('the resume works through the real session too', async () => {
  const dropped: Step = {
    method: 'GET',
    path: PATH,
    reply: () => ({ status: 200, body: BLOB, dropAfter: 4 }),
  };
  const real = (host: string) => createSession(host, { retry: { attempts: 1 } });
  assert.deepEqual(
    await read([dropped, ranged(4, 'bytes 4-9/10')], undefined, real),
    BLOB,
  );
});

test('a 200 answer to a Range has the bytes already read skipped', async () => {
  const dropped: Step = {
    method: 'GET',
    path: PATH,
    reply: () => ({ status: 200, body: BLOB, dropAfter: 6 }),
  };
  assert.deepEqual(await read([dropped, whole(BLOB)]), BLOB);
});

test('a read from an offset asks for that range and gets the rest', async () => {
  assert.deepEqual(await read([ranged(3, 'bytes 3-9/10')], 3), BLOB.subarray(3));
});

test('a Content-Range that does not start where asked is refused', async () => {
  await assert.rejects(read([ranged(3, 'bytes 0-9/10')], 3), (e) =>
    isGantryError(e, 'GANTRY_E_REGISTRY'),
  );
});

test('a body that ends early is a short read', async () => {
  await assert.rejects(read([whole(BLOB.subarray(0, 6), CHUNKED)]), (e) =>
    isGantryError(e, 'GANTRY_E_SHORT_READ'),
  );
});

test('a body longer than the descriptor is trailing data', async () => {
  await assert.rejects(read([whole(Buffer.concat([BLOB, BLOB]), CHUNKED)]), (e) =>
    isGantryError(e, 'GANTRY_E_TRAILING_DATA'),
  );
});

test('bytes of the right size but another digest are a digest mismatch', async () => {
  await assert.rejects(read([whole('9876543210')]), (e) =>
    isGantryError(e, 'GANTRY_E_DIGEST_MISMATCH'),
  );
});

test('a connection that keeps dropping fails after MAX_BLOB_RESUMES', async () => {
  const drop = (from: number): Step => ({
    method: 'GET',
    path: PATH,
    reply: () =>
      from === 0
        ? { status: 200, body: BLOB, dropAfter: 1 }
        : {
            status: 206,
            headers: { 'content-range': `bytes ${from}-9/10` },
            body: BLOB.subarray(from),
            dropAfter: 1,
          },
  });
  const steps = Array.from({ length: MAX_BLOB_RESUMES + 1 }, (_, i) => drop(i));
  await assert.rejects(read(steps), (e) => isGantryError(e, 'GANTRY_E_NETWORK'));
});

test('HEAD of a blob gives its size, and undefined when missing', async () => {
  const server = await startScripted([
    {
      method: 'HEAD',
      path: PATH,
      reply: () => ({ status: 200, headers: { 'content-length': '10' } }),
    },
    { method: 'HEAD', path: PATH, reply: () => ({ status: 404 }) },
  ]);
  try {
    const repo = Reference.parseRepository(`${server.host}/org/app`);
    const session = fetchSession(server.url);
    assert.deepEqual(await headBlob(session, repo, DIGEST), { size: 10 });
    assert.equal(await headBlob(session, repo, DIGEST), undefined);
    server.assertDone();
  } finally {
    await server.close();
  }
});
