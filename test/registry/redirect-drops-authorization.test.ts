import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { StaticCredentials } from '../../src/registry/credentials.js';
import { type Scripted, type Step, startScripted } from '../harness/scripted.js';
import { closeAll, expectError, tracedSession } from './session-helpers.js';

const PASSWORD = 'redirect-test-pw-5f1c';
const servers: Scripted[] = [];
after(async () => {
  await closeAll();
  await Promise.all(servers.map((s) => s.close()));
});

async function scripted(steps: Step[]): Promise<Scripted> {
  const server = await startScripted(steps);
  servers.push(server);
  return server;
}

const basicChallenge: Step['reply'] = () => ({
  status: 401,
  headers: { 'www-authenticate': 'Basic realm="test"' },
});

function signedIn(host: string) {
  return {
    credentials: new StaticCredentials({
      [host]: { username: 'ann', password: PASSWORD },
    }),
    retry: { attempts: 1 },
  };
}

const get = (url: string) => ({ method: 'GET' as const, url, scopes: [], expect: [200] });

describe('redirects', () => {
  it('drop Authorization on a new origin and report the effective URL', async () => {
    const storage = await scripted([
      {
        method: 'GET',
        path: '/blob?sig=abc',
        reply: () => ({ status: 200, body: 'data' }),
      },
    ]);
    const registry = await scripted([
      { method: 'GET', path: '/v2/a/blobs/x', reply: basicChallenge },
      {
        method: 'GET',
        path: '/v2/a/blobs/x',
        reply: () => ({
          status: 307,
          headers: { location: `${storage.url}/blob?sig=abc` },
        }),
      },
    ]);
    const { session, logger } = tracedSession('redirect cross origin', registry.host, {
      ...signedIn(registry.host),
    });
    const response = await session.request(get('/v2/a/blobs/x'));
    assert.equal(await response.text(), 'data');
    assert.equal(response.url, `${storage.url}/blob?sig=abc`);
    registry.assertDone();
    storage.assertDone();

    assert.match(String(registry.requests[1]!.headers.authorization), /^Basic /);
    assert.equal(storage.requests[0]!.headers.authorization, undefined);
    const log = logger.lines.map((l) => l.message).join('\n');
    assert.ok(!log.includes(PASSWORD));
    assert.ok(!log.includes(Buffer.from(`ann:${PASSWORD}`).toString('base64')));
  });

  it('never answer a challenge from the redirect target with credentials', async () => {
    const storage = await scripted([
      { method: 'GET', path: '/blob', reply: basicChallenge },
    ]);
    const registry = await scripted([
      { method: 'GET', path: '/v2/a/blobs/y', reply: basicChallenge },
      {
        method: 'GET',
        path: '/v2/a/blobs/y',
        reply: () => ({ status: 307, headers: { location: `${storage.url}/blob` } }),
      },
    ]);
    const { session } = tracedSession('redirect target challenge', registry.host, {
      ...signedIn(registry.host),
    });
    const error = await expectError('redirect target challenge', () =>
      session.request(get('/v2/a/blobs/y')),
    );
    assert.equal(error.code, ErrorCode.Unauthorized);
    registry.assertDone();
    storage.assertDone();
    assert.equal(storage.requests[0]!.headers.authorization, undefined);
  });

  it('keep Authorization on the same origin', async () => {
    const registry = await scripted([
      { method: 'GET', path: '/v2/a/tags/list', reply: basicChallenge },
      {
        method: 'GET',
        path: '/v2/a/tags/list',
        reply: () => ({ status: 308, headers: { location: '/v2/b/tags/list' } }),
      },
      {
        method: 'GET',
        path: '/v2/b/tags/list',
        reply: () => ({ status: 200, body: '{}' }),
      },
    ]);
    const { session } = tracedSession('redirect same origin', registry.host, {
      ...signedIn(registry.host),
    });
    const response = await session.request(get('/v2/a/tags/list'));
    await response.dump();
    registry.assertDone();
    assert.match(String(registry.requests[2]!.headers.authorization), /^Basic /);
    assert.equal(response.url, `${registry.url}/v2/b/tags/list`);
  });

  it('are not followed when the request says so', async () => {
    const registry = await scripted([
      {
        method: 'GET',
        path: '/v2/',
        reply: () => ({ status: 307, headers: { location: '/elsewhere' } }),
      },
    ]);
    const { session } = tracedSession('redirect not followed', registry.host);
    const response = await session.request({
      ...get('/v2/'),
      expect: [307],
      followRedirects: false,
    });
    assert.equal(response.status, 307);
    assert.equal(response.headers.location, '/elsewhere');
    await response.dump();
    registry.assertDone();
  });

  it('turn a POST into a GET without body on 303', async () => {
    const registry = await scripted([
      {
        method: 'POST',
        path: '/v2/a/blobs/uploads/',
        reply: () => ({ status: 303, headers: { location: '/v2/a/status' } }),
      },
      { method: 'GET', path: '/v2/a/status', reply: () => ({ status: 200 }) },
    ]);
    const { session } = tracedSession('redirect 303', registry.host);
    const response = await session.request({
      method: 'POST',
      url: '/v2/a/blobs/uploads/',
      body: new TextEncoder().encode('payload'),
      scopes: [],
      expect: [200],
    });
    await response.dump();
    registry.assertDone();
    assert.equal(registry.requests[1]!.body.length, 0);
  });

  it('stop after 10 hops with GANTRY_E_REDIRECT', async () => {
    const loop: Step[] = Array.from({ length: 11 }, (_, i) => ({
      method: 'GET',
      path: `/v2/hop/${i}`,
      reply: () => ({ status: 302, headers: { location: `/v2/hop/${i + 1}` } }),
    }));
    const registry = await scripted(loop);
    const { session } = tracedSession('redirect loop', registry.host);
    const error = await expectError('redirect loop', () =>
      session.request(get('/v2/hop/0')),
    );
    assert.equal(error.code, ErrorCode.Redirect);
    registry.assertDone();
  });
});
