import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import { Digest } from '../../src/oci/digest.js';
import { MAX_MANIFEST_BYTES } from '../../src/oci/manifest.js';
import { MANIFEST_ACCEPT } from '../../src/oci/mediatype.js';
import { Reference } from '../../src/reference/reference.js';
import {
  deleteManifest,
  getManifest,
  headManifest,
  putManifest,
} from '../../src/registry/manifests.js';
import { RegistryError } from '../../src/registry/registry-error.js';
import { fetchSession, type Step, startScripted } from '../harness/scripted.js';

// Faults a real registry does not show: oversized manifests, digests that
// disagree with the bytes, registries that refuse deleting by tag with 405.

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const INDEX = Buffer.from(
  `{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[]}`,
);
const DIGEST = Digest.of(INDEX);
const OTHER = Digest.of(Buffer.from('other'));

async function run<T>(
  steps: Step[],
  action: (ref: string, s: ReturnType<typeof fetchSession>) => Promise<T>,
) {
  const server = await startScripted(steps);
  try {
    const result = await action(`${server.host}/org/app`, fetchSession(server.url));
    server.assertDone();
    return { result, requests: server.requests };
  } finally {
    await server.close();
  }
}

function reply(
  status: number,
  headers: Record<string, string>,
  body: Buffer | string = '',
) {
  return () => ({ status, headers, body });
}

test('GET sends OCI and Docker types in Accept and returns the exact bytes', async () => {
  const headers = { 'content-type': OCI_INDEX, 'docker-content-digest': `${DIGEST}` };
  const { result, requests } = await run(
    [
      {
        method: 'GET',
        path: '/v2/org/app/manifests/1.0',
        reply: reply(200, headers, INDEX),
      },
    ],
    (ref, session) => getManifest(session, Reference.parse(`${ref}:1.0`)),
  );
  assert.deepEqual(Buffer.from(result.bytes), INDEX);
  assert.equal(result.kind, 'index');
  assert.equal(requests[0]?.headers.accept, MANIFEST_ACCEPT.join(', '));
});

test('a digest reference is fetched by digest even when it has a tag', async () => {
  const headers = { 'content-type': OCI_INDEX };
  const { result } = await run(
    [
      {
        method: 'GET',
        path: `/v2/org/app/manifests/${DIGEST}`,
        reply: reply(200, headers, INDEX),
      },
    ],
    (ref, session) => getManifest(session, Reference.parse(`${ref}:1.0@${DIGEST}`)),
  );
  assert.ok(result.digest.equals(DIGEST));
});

test('bytes that do not hash to the digest asked for are refused', async () => {
  const body = Buffer.from(
    `{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[ ]}`,
  );
  const steps = [
    {
      method: 'GET',
      path: `/v2/org/app/manifests/${DIGEST}`,
      reply: reply(200, { 'content-type': OCI_INDEX }, body),
    },
  ];
  await assert.rejects(
    run(steps, (ref, session) =>
      getManifest(session, Reference.parse(`${ref}@${DIGEST}`)),
    ),
    (e) => isGantryError(e, 'GANTRY_E_DIGEST_MISMATCH'),
  );
});

test('a Docker-Content-Digest that disagrees with the bytes is refused', async () => {
  const headers = { 'content-type': OCI_INDEX, 'docker-content-digest': `${OTHER}` };
  const steps = [
    {
      method: 'GET',
      path: '/v2/org/app/manifests/1.0',
      reply: reply(200, headers, INDEX),
    },
  ];
  await assert.rejects(
    run(steps, (ref, session) => getManifest(session, Reference.parse(`${ref}:1.0`))),
    (e) => isGantryError(e, 'GANTRY_E_DIGEST_MISMATCH'),
  );
});

test('a manifest over 4 MiB is refused from Content-Length, before reading', async () => {
  // Only the headers are sent: reading the body would fail with a network error.
  const declared = String(MAX_MANIFEST_BYTES + 1);
  const steps: Step[] = [
    {
      method: 'GET',
      path: '/v2/org/app/manifests/big',
      reply: () => ({
        status: 200,
        headers: { 'content-type': OCI_INDEX, 'content-length': declared },
        body: '{',
        dropAfter: 1,
      }),
    },
  ];
  await assert.rejects(
    run(steps, (ref, session) => getManifest(session, Reference.parse(`${ref}:big`))),
    (e) => isGantryError(e, 'GANTRY_E_MANIFEST_TOO_LARGE'),
  );
});

test('a manifest that grows past 4 MiB while read is refused', async () => {
  const body = Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20);
  const headers = { 'content-type': OCI_INDEX, 'transfer-encoding': 'chunked' };
  const steps = [
    {
      method: 'GET',
      path: '/v2/org/app/manifests/big',
      reply: reply(200, headers, body),
    },
  ];
  await assert.rejects(
    run(steps, (ref, session) => getManifest(session, Reference.parse(`${ref}:big`))),
    (e) => isGantryError(e, 'GANTRY_E_MANIFEST_TOO_LARGE'),
  );
});

test('a push sends exact bytes and media type, and checks the digest', async () => {
  const { result, requests } = await run(
    [
      {
        method: 'PUT',
        path: '/v2/org/app/manifests/1.0',
        reply: reply(201, { 'docker-content-digest': `${DIGEST}` }),
      },
    ],
    (ref, session) =>
      putManifest(session, Reference.parse(`${ref}:1.0`), {
        bytes: INDEX,
        mediaType: OCI_INDEX,
      }),
  );
  assert.ok(result.equals(DIGEST));
  assert.deepEqual(requests[0]?.body, INDEX);
  assert.equal(requests[0]?.headers['content-type'], OCI_INDEX);

  const wrong = [
    {
      method: 'PUT',
      path: '/v2/org/app/manifests/1.0',
      reply: reply(201, { 'docker-content-digest': `${OTHER}` }),
    },
  ];
  await assert.rejects(
    run(wrong, (ref, session) =>
      putManifest(session, Reference.parse(`${ref}:1.0`), {
        bytes: INDEX,
        mediaType: OCI_INDEX,
      }),
    ),
    (e) => isGantryError(e, 'GANTRY_E_DIGEST_MISMATCH'),
  );
});

const HEAD_TAG: Step = {
  method: 'HEAD',
  path: '/v2/org/app/manifests/1.0',
  reply: reply(200, {
    'content-type': OCI_INDEX,
    'content-length': String(INDEX.length),
    'docker-content-digest': `${DIGEST}`,
  }),
};

test('HEAD gives the descriptor, and undefined on 404', async () => {
  const { result } = await run(
    [
      HEAD_TAG,
      { method: 'HEAD', path: '/v2/org/app/manifests/2.0', reply: reply(404, {}) },
    ],
    async (ref, session) => [
      await headManifest(session, Reference.parse(`${ref}:1.0`)),
      await headManifest(session, Reference.parse(`${ref}:2.0`)),
    ],
  );
  assert.equal(result[0]?.mediaType, OCI_INDEX);
  assert.equal(result[0]?.size, INDEX.length);
  assert.ok(result[0]?.digest.equals(DIGEST));
  assert.equal(result[1], undefined);
});

test('deleting a tag where the registry allows it deletes only the tag', async () => {
  const { result } = await run(
    [
      HEAD_TAG,
      { method: 'DELETE', path: '/v2/org/app/manifests/1.0', reply: reply(202, {}) },
    ],
    (ref, session) => deleteManifest(session, Reference.parse(`${ref}:1.0`)),
  );
  assert.deepEqual(
    { ...result, digest: `${result.digest}` },
    { digest: `${DIGEST}`, deletedByTag: true },
  );
});

test('a registry answering 405 to a tag delete gets a delete by digest', async () => {
  const { result } = await run(
    [
      HEAD_TAG,
      { method: 'DELETE', path: '/v2/org/app/manifests/1.0', reply: reply(405, {}) },
      {
        method: 'DELETE',
        path: `/v2/org/app/manifests/${DIGEST}`,
        reply: reply(202, {}),
      },
    ],
    (ref, session) => deleteManifest(session, Reference.parse(`${ref}:1.0`)),
  );
  assert.equal(result.deletedByTag, false);
  assert.ok(result.digest.equals(DIGEST));
});

test('a missing manifest keeps what the registry said', async () => {
  const body = JSON.stringify({
    errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: null }],
  });
  const headers = { 'content-type': 'application/json' };
  const steps = [
    {
      method: 'GET',
      path: '/v2/org/app/manifests/gone',
      reply: reply(404, headers, body),
    },
  ];
  await assert.rejects(
    run(steps, (ref, session) => getManifest(session, Reference.parse(`${ref}:gone`))),
    (e) =>
      e instanceof RegistryError &&
      e.code === 'GANTRY_E_NOT_FOUND' &&
      e.status === 404 &&
      e.has('MANIFEST_UNKNOWN'),
  );
});
