import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { Digest } from '../../src/oci/digest.js';
import { registryBaseUrl } from '../../src/registry/endpoint.js';
import { RegistryError } from '../../src/registry/registry-error.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { closeAll, expectError, tracedSession } from './session-helpers.js';

let plain: TestRegistry;
before(async () => {
  plain = (await getRegistries()).plain;
});
after(closeAll);

const push = (name: string) => [
  { type: 'repository' as const, name, actions: ['pull' as const, 'push' as const] },
];

describe('an anonymous session with a plain HTTP registry', () => {
  it('talks plain HTTP to a loopback registry and HTTPS to others', () => {
    assert.equal(registryBaseUrl('127.0.0.1:5000', 'auto'), 'http://127.0.0.1:5000');
    assert.equal(registryBaseUrl('localhost', 'auto'), 'http://localhost');
    assert.equal(registryBaseUrl('[::1]:5000', 'auto'), 'http://[::1]:5000');
    assert.equal(registryBaseUrl('docker.io', 'auto'), 'https://registry-1.docker.io');
    assert.equal(registryBaseUrl('ghcr.io', 'always'), 'http://ghcr.io');
    assert.equal(registryBaseUrl('127.0.0.1:5000', 'never'), 'https://127.0.0.1:5000');
    assert.equal(
      registryBaseUrl('127.0.0.1:5000', 'auto', true),
      'https://127.0.0.1:5000',
    );
  });

  it('pings /v2/ without credentials', async () => {
    const { session, sent } = tracedSession('plain ping', plain.host);
    assert.equal(session.baseUrl, plain.url);
    const response = await session.request({
      method: 'GET',
      url: '/v2/',
      scopes: [],
      expect: [200],
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers['docker-distribution-api-version'], 'registry/2.0');
    assert.deepEqual(await response.json(), {});
    assert.equal(sent().length, 1);
    assert.ok(!sent()[0]!.toLowerCase().includes('authorization'));
  });

  it('uploads a blob with bytes and reads it back over one session', async () => {
    const { session } = tracedSession('plain upload', plain.host);
    const bytes = new TextEncoder().encode(`plain blob ${Date.now()}`);
    const digest = Digest.of(bytes).toString();
    const start = await session.request({
      method: 'POST',
      url: '/v2/session/plain/blobs/uploads/',
      scopes: push('session/plain'),
      expect: [202],
    });
    await start.dump();
    const location = new URL(start.headers.location!, start.url);
    location.searchParams.set('digest', digest);
    const put = await session.request({
      method: 'PUT',
      url: location.toString(),
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
      scopes: push('session/plain'),
      expect: [201],
    });
    assert.equal(put.headers['docker-content-digest'], digest);
    await put.dump();
    const get = await session.request({
      method: 'GET',
      url: `/v2/session/plain/blobs/${digest}`,
      scopes: push('session/plain'),
      expect: [200],
    });
    assert.deepEqual(await get.bytes(), bytes);
  });

  it('turns an unexpected status into a RegistryError with its codes', async () => {
    const { session } = tracedSession('plain 404', plain.host);
    const digest = Digest.of(new TextEncoder().encode('never pushed')).toString();
    const error = await expectError('plain manifest unknown', () =>
      session.request({
        method: 'GET',
        url: `/v2/session/plain/manifests/${digest}`,
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
        scopes: push('session/plain'),
        expect: [200],
        operation: 'manifest get',
      }),
    );
    assert.ok(error instanceof RegistryError);
    assert.equal(error.code, ErrorCode.NotFound);
    assert.equal(error.status, 404);
    assert.ok(error.has('MANIFEST_UNKNOWN'));
    assert.match(error.message, /^manifest get failed/);
  });

  it('returns an expected 404 as a response', async () => {
    const { session } = tracedSession('plain head 404', plain.host);
    const digest = Digest.of(new TextEncoder().encode('absent')).toString();
    const response = await session.request({
      method: 'HEAD',
      url: `/v2/session/plain/blobs/${digest}`,
      scopes: push('session/plain'),
      expect: [200, 404],
    });
    assert.equal(response.status, 404);
    await response.dump();
  });
});
