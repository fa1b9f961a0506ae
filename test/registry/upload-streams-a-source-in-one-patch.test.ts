import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import { Digest } from '../../src/oci/digest.js';
import { Reference } from '../../src/reference/reference.js';
import { uploadBlob } from '../../src/registry/upload.js';
import { fetchSession, type Step, startScripted } from '../harness/scripted.js';

// A re-openable source without a chunkSize goes in one streamed PATCH; a
// broken send resumes at the registry's Range with the source re-opened there.

const BLOB = Buffer.from('abcdefghij');
const DIGEST = Digest.of(BLOB);
const UPLOADS = '/v2/org/app/blobs/uploads';
const PUT_PATH = (state: string) =>
  `${UPLOADS}/${state}&digest=${encodeURIComponent(DIGEST.toString())}`;

function step(method: string, path: string, status: number, headers = {}): Step {
  return { method, path, reply: () => ({ status, headers }) };
}

const HEAD = step('HEAD', `/v2/org/app/blobs/${DIGEST}`, 404);
const POST = step('POST', `${UPLOADS}/`, 202, { location: `${UPLOADS}/u1?_state=a` });
const PUT: Step = {
  method: 'PUT',
  path: PUT_PATH('u1?_state=z'),
  reply: () => ({ status: 201, headers: { 'docker-content-digest': `${DIGEST}` } }),
};

/** A source in small pieces that records every offset it was opened at. */
function recordingSource(opened: number[]) {
  return {
    open(offset: number) {
      opened.push(offset);
      const rest = BLOB.subarray(offset);
      return Readable.from([rest.subarray(0, 3), rest.subarray(3)]);
    },
  };
}

async function run(steps: Step[], opened: number[], knownMissing = false) {
  const server = await startScripted(steps);
  try {
    const repo = Reference.parseRepository(`${server.host}/org/app`);
    const descriptor = { digest: DIGEST, size: BLOB.length };
    const source = recordingSource(opened);
    const session = fetchSession(server.url);
    const result = await uploadBlob(session, repo, descriptor, source, { knownMissing });
    server.assertDone();
    return { result, requests: server.requests };
  } finally {
    await server.close();
  }
}

test('a source goes in one PATCH naming the whole range, then an empty PUT', async () => {
  const opened: number[] = [];
  const { result, requests } = await run(
    [
      HEAD,
      POST,
      step('PATCH', `${UPLOADS}/u1?_state=a`, 202, {
        location: `${UPLOADS}/u1?_state=z`,
        range: '0-9',
      }),
      PUT,
    ],
    opened,
  );
  assert.equal(result, 'uploaded');
  assert.deepEqual(opened, [0]);
  const patch = requests.find((r) => r.method === 'PATCH');
  assert.equal(patch?.headers['content-range'], '0-9');
  assert.equal(patch?.body.toString(), 'abcdefghij');
  assert.equal(requests.at(-1)?.body.length, 0);
});

test('knownMissing skips the HEAD: POST is the first request', async () => {
  const opened: number[] = [];
  const { requests } = await run(
    [
      POST,
      step('PATCH', `${UPLOADS}/u1?_state=a`, 202, {
        location: `${UPLOADS}/u1?_state=z`,
      }),
      PUT,
    ],
    opened,
    true,
  );
  assert.deepEqual(
    requests.map((r) => r.method),
    ['POST', 'PATCH', 'PUT'],
  );
});

test('a refused stream resumes at the Range the upload URL reports', async () => {
  const opened: number[] = [];
  const { requests } = await run(
    [
      HEAD,
      POST,
      step('PATCH', `${UPLOADS}/u1?_state=a`, 503),
      step('GET', `${UPLOADS}/u1?_state=a`, 204, {
        range: '0-3',
        location: `${UPLOADS}/u1?_state=b`,
      }),
      step('PATCH', `${UPLOADS}/u1?_state=b`, 202, {
        location: `${UPLOADS}/u1?_state=z`,
        range: '0-9',
      }),
      PUT,
    ],
    opened,
  );
  assert.deepEqual(opened, [0, 4]);
  const resumed = requests.filter((r) => r.method === 'PATCH')[1];
  assert.equal(resumed?.headers['content-range'], '4-9');
  assert.equal(resumed?.body.toString(), 'efghij');
});

test('a registry holding fewer bytes than streamed is an error', async () => {
  const opened: number[] = [];
  await assert.rejects(
    run(
      [
        HEAD,
        POST,
        step('PATCH', `${UPLOADS}/u1?_state=a`, 202, {
          location: `${UPLOADS}/u1?_state=b`,
          range: '0-4',
        }),
        step('DELETE', `${UPLOADS}/u1?_state=a`, 204),
      ],
      opened,
    ),
    (error) =>
      isGantryError(error, 'GANTRY_E_REGISTRY') && /holds 5 bytes/.test(`${error}`),
  );
});
