import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import { Digest } from '../../src/oci/digest.js';
import { Reference } from '../../src/reference/reference.js';
import { mountBlob, uploadBlob } from '../../src/registry/upload.js';
import { fetchSession, type Step, startScripted } from '../harness/scripted.js';

// What a registry on loopback cannot be made to do: fail mid-upload, lose an
// upload session, or answer a mount with a new upload session.

const BLOB = Buffer.from('abcdefghij');
const DIGEST = Digest.of(BLOB);
const UPLOADS = '/v2/org/app/blobs/uploads';
const HEAD: Step = {
  method: 'HEAD',
  path: `/v2/org/app/blobs/${DIGEST}`,
  reply: () => ({ status: 404 }),
};

function step(method: string, path: string, status: number, headers = {}): Step {
  return { method, path, reply: () => ({ status, headers }) };
}

function finalPut(state: string): Step {
  return {
    method: 'PUT',
    path: `${UPLOADS}/${state}&digest=${encodeURIComponent(DIGEST.toString())}`,
    reply: () => ({ status: 201, headers: { 'docker-content-digest': `${DIGEST}` } }),
  };
}

async function upload(steps: Step[]) {
  const server = await startScripted(steps);
  try {
    const repo = Reference.parseRepository(`${server.host}/org/app`);
    const descriptor = { digest: DIGEST, size: BLOB.length };
    const session = fetchSession(server.url);
    await uploadBlob(session, repo, descriptor, BLOB, {
      chunkSize: 4,
      monolithicLimit: 0,
    });
    server.assertDone();
    return server.requests;
  } finally {
    await server.close();
  }
}

test('a failed chunk is resumed from the Range the upload URL reports', async () => {
  const requests = await upload([
    HEAD,
    step('POST', `${UPLOADS}/`, 202, { location: `${UPLOADS}/u1?_state=a` }),
    step('PATCH', `${UPLOADS}/u1?_state=a`, 202, { location: `${UPLOADS}/u1?_state=b` }),
    step('PATCH', `${UPLOADS}/u1?_state=b`, 503),
    step('GET', `${UPLOADS}/u1?_state=b`, 204, {
      range: '0-3',
      location: `${UPLOADS}/u1?_state=c`,
    }),
    step('PATCH', `${UPLOADS}/u1?_state=c`, 202, { location: `${UPLOADS}/u1?_state=d` }),
    step('PATCH', `${UPLOADS}/u1?_state=d`, 202, { location: `${UPLOADS}/u1?_state=e` }),
    finalPut('u1?_state=e'),
  ]);
  const patches = requests.filter((r) => r.method === 'PATCH');
  assert.deepEqual(
    patches.map((r) => [r.headers['content-range'], `${r.body}`]),
    [
      ['0-3', 'abcd'],
      ['4-7', 'efgh'],
      ['4-7', 'efgh'],
      ['8-9', 'ij'],
    ],
  );
});

test('an upload whose session is gone starts again from byte 0', async () => {
  const requests = await upload([
    HEAD,
    step('POST', `${UPLOADS}/`, 202, { location: `${UPLOADS}/u1?_state=a` }),
    step('PATCH', `${UPLOADS}/u1?_state=a`, 202, { location: `${UPLOADS}/u1?_state=b` }),
    step('PATCH', `${UPLOADS}/u1?_state=b`, 404),
    step('GET', `${UPLOADS}/u1?_state=b`, 404),
    step('POST', `${UPLOADS}/`, 202, { location: `${UPLOADS}/u2?_state=a` }),
    step('PATCH', `${UPLOADS}/u2?_state=a`, 202, { location: `${UPLOADS}/u2?_state=b` }),
    step('PATCH', `${UPLOADS}/u2?_state=b`, 202, { location: `${UPLOADS}/u2?_state=c` }),
    step('PATCH', `${UPLOADS}/u2?_state=c`, 202, { location: `${UPLOADS}/u2?_state=d` }),
    finalPut('u2?_state=d'),
  ]);
  const ranges = requests
    .filter((r) => r.method === 'PATCH')
    .map((r) => r.headers['content-range']);
  assert.deepEqual(ranges, ['0-3', '4-7', '0-3', '4-7', '8-9']);
});

test('a chunk refused for good is not retried and the upload is cancelled', async () => {
  const server = await startScripted([
    HEAD,
    step('POST', `${UPLOADS}/`, 202, { location: `${UPLOADS}/u1?_state=a` }),
    step('PATCH', `${UPLOADS}/u1?_state=a`, 403),
    step('DELETE', `${UPLOADS}/u1?_state=a`, 204),
  ]);
  try {
    const repo = Reference.parseRepository(`${server.host}/org/app`);
    const descriptor = { digest: DIGEST, size: BLOB.length };
    await assert.rejects(
      uploadBlob(fetchSession(server.url), repo, descriptor, BLOB, {
        monolithicLimit: 0,
      }),
      (error) => isGantryError(error, 'GANTRY_E_DENIED'),
    );
    server.assertDone();
  } finally {
    await server.close();
  }
});

test('a short source sent in chunks is a SizeMismatch and the upload is cancelled', async () => {
  const server = await startScripted([
    HEAD,
    step('POST', `${UPLOADS}/`, 202, { location: `${UPLOADS}/u1?_state=a` }),
    step('PATCH', `${UPLOADS}/u1?_state=a`, 202, { location: `${UPLOADS}/u1?_state=b` }),
    step('DELETE', `${UPLOADS}/u1?_state=b`, 204),
  ]);
  try {
    const repo = Reference.parseRepository(`${server.host}/org/app`);
    const source = { open: () => Readable.from([BLOB.subarray(0, 7)]) };
    const descriptor = { digest: DIGEST, size: BLOB.length };
    await assert.rejects(
      // Chunked mode (chunkSize given): the short last chunk is sent, then refused.
      uploadBlob(fetchSession(server.url), repo, descriptor, source, { chunkSize: 16 }),
      (error) => isGantryError(error, 'GANTRY_E_SIZE_MISMATCH'),
    );
    server.assertDone();
  } finally {
    await server.close();
  }
});

const MOUNT_DIGEST = encodeURIComponent(DIGEST.toString());
const MOUNT = `${UPLOADS}/?mount=${MOUNT_DIGEST}&from=org%2Fbase`;

async function mount(steps: Step[]): Promise<boolean> {
  const server = await startScripted(steps);
  try {
    const repo = Reference.parseRepository(`${server.host}/org/app`);
    const from = Reference.parseRepository(`${server.host}/org/base`);
    const mounted = await mountBlob(fetchSession(server.url), repo, DIGEST, from);
    server.assertDone();
    return mounted;
  } finally {
    await server.close();
  }
}

test('a mount answered 201 is mounted', async () => {
  const location = `/v2/org/app/blobs/${DIGEST}`;
  assert.equal(await mount([step('POST', MOUNT, 201, { location })]), true);
});

test('a mount answered with an upload session cancels it: not mounted', async () => {
  const steps = [
    step('POST', MOUNT, 202, { location: `${UPLOADS}/u9?_state=x` }),
    step('DELETE', `${UPLOADS}/u9?_state=x`, 204),
  ];
  assert.equal(await mount(steps), false);
});

test('a mount from a source the caller may not read reports not mounted', async () => {
  assert.equal(await mount([step('POST', MOUNT, 401)]), false);
  assert.equal(await mount([step('POST', MOUNT, 404)]), false);
});
