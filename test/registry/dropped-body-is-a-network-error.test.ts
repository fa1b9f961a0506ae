import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { parseReference } from '../../src/reference/index.js';
import { getManifest } from '../../src/registry/manifests.js';
import { type Scripted, startScripted } from '../harness/scripted.js';
import { closeAll, expectError, tracedSession } from './session-helpers.js';

/**
 * A connection that drops in the middle of a body (the registry announced
 * more bytes than it sent) is a network failure naming the request, whether
 * the body is read by a resource module or with bytes()/text()/json().
 */

const servers: Scripted[] = [];
after(async () => {
  await closeAll();
  await Promise.all(servers.map((s) => s.close()));
});

const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: {
    mediaType: 'application/vnd.oci.image.config.v1+json',
    digest: `sha256:${'a'.repeat(64)}`,
    size: 2,
  },
  layers: [],
});

async function dropping(path: string) {
  const server = await startScripted([
    { method: 'GET', path: '/v2/', reply: () => ({ status: 200, body: '{}' }) },
    {
      method: 'GET',
      path,
      reply: () => ({
        status: 200,
        headers: {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'content-length': String(MANIFEST.length + 100),
        },
        body: MANIFEST,
        dropAfter: 20,
      }),
    },
  ]);
  servers.push(server);
  const { session } = tracedSession('dropped body', server.host, {
    retry: { attempts: 1 },
  });
  return { server, session };
}

function assertDropped(error: { code: string; message: string }, path: string) {
  assert.equal(error.code, ErrorCode.Network);
  assert.ok(error.message.includes(`GET http://`), error.message);
  assert.ok(error.message.includes(path), error.message);
  assert.match(error.message, /after 20 of \d+ bytes/);
}

describe('a body cut off mid-way', () => {
  it('is GANTRY_E_NETWORK naming the request when a manifest is read', async () => {
    const path = '/v2/a/b/manifests/latest';
    const { server, session } = await dropping(path);
    await session
      .request({ method: 'GET', url: '/v2/', scopes: [], expect: [200] })
      .then((r) => r.dump());
    const ref = parseReference(`${server.host}/a/b:latest`);
    const error = await expectError('dropped manifest', () => getManifest(session, ref));
    assertDropped(error, path);
  });

  it('is GANTRY_E_NETWORK from json() too', async () => {
    const path = '/v2/a/b/tags/list';
    const { session } = await dropping(path);
    await session
      .request({ method: 'GET', url: '/v2/', scopes: [], expect: [200] })
      .then((r) => r.dump());
    const response = await session.request({
      method: 'GET',
      url: path,
      scopes: [],
      expect: [200],
    });
    const error = await expectError('dropped json', () => response.json());
    assertDropped(error, path);
  });
});
