import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { type Scripted, type Step, startScripted } from '../harness/scripted.js';
import { closeAll, expectError, tracedSession } from './session-helpers.js';

/**
 * Token flows a real registry does not show on demand: both challenges in
 * one header, `access_token` only, a token refused as invalid, a failing
 * token server. Registry and token endpoint share one strict server.
 */

const servers: Scripted[] = [];
after(async () => {
  await closeAll();
  await Promise.all(servers.map((s) => s.close()));
});

const PATH = '/v2/a/tags/list';
const TOKEN_PATH = '/token?x=1&service=svc&scope=repository%3Aa%3Apull';
const get = { method: 'GET' as const, url: PATH, expect: [200] };
const scopes = [{ type: 'repository' as const, name: 'a', actions: ['pull' as const] }];

async function script(steps: (url: () => string) => Step[]): Promise<Scripted> {
  let base = '';
  const server = await startScripted(steps(() => base));
  base = server.url;
  servers.push(server);
  return server;
}

const challenge =
  (url: () => string, extra = ''): Step['reply'] =>
  () => ({
    status: 401,
    headers: {
      'www-authenticate': [
        'Basic realm="r"',
        `Bearer realm="${url()}/token?x=1",service="svc"${extra}`,
      ].join(', '),
    },
  });
const tokenAnswer =
  (body: unknown): Step['reply'] =>
  () => ({ status: 200, body: JSON.stringify(body) });

describe('Bearer tokens from a scripted token server', () => {
  it('prefer Bearer over Basic and accept a token given as access_token', async () => {
    const server = await script((url) => [
      { method: 'GET', path: PATH, reply: challenge(url) },
      {
        method: 'GET',
        path: TOKEN_PATH,
        reply: tokenAnswer({ access_token: 'tok-a-0123456789' }),
      },
      { method: 'GET', path: PATH, reply: () => ({ status: 200 }) },
    ]);
    const { session } = tracedSession('scripted access_token', server.host);
    await (await session.request({ ...get, scopes })).dump();
    server.assertDone();
    assert.equal(server.requests[2]!.headers.authorization, 'Bearer tok-a-0123456789');
  });

  it('get a new token once when the registry refuses one as invalid', async () => {
    const server = await script((url) => [
      { method: 'GET', path: PATH, reply: challenge(url) },
      {
        method: 'GET',
        path: TOKEN_PATH,
        reply: tokenAnswer({ token: 'old-token-0123456789' }),
      },
      { method: 'GET', path: PATH, reply: challenge(url, ',error="invalid_token"') },
      {
        method: 'GET',
        path: TOKEN_PATH,
        reply: tokenAnswer({ token: 'new-token-0123456789' }),
      },
      { method: 'GET', path: PATH, reply: () => ({ status: 200 }) },
    ]);
    const { session } = tracedSession('scripted invalid token', server.host);
    await (await session.request({ ...get, scopes })).dump();
    server.assertDone();
    assert.equal(
      server.requests[2]!.headers.authorization,
      'Bearer old-token-0123456789',
    );
    assert.equal(
      server.requests[4]!.headers.authorization,
      'Bearer new-token-0123456789',
    );
  });

  it('report a failing token server as GANTRY_E_TOKEN', async () => {
    const server = await script((url) => [
      { method: 'GET', path: PATH, reply: challenge(url) },
      { method: 'GET', path: TOKEN_PATH, reply: () => ({ status: 500 }) },
    ]);
    const { session } = tracedSession('scripted token 500', server.host, {
      retry: { attempts: 1 },
    });
    const error = await expectError('token server 500', () =>
      session.request({ ...get, scopes }),
    );
    assert.equal(error.code, ErrorCode.Token);
    server.assertDone();
  });

  it('report a token answer without a token as GANTRY_E_TOKEN', async () => {
    const server = await script((url) => [
      { method: 'GET', path: PATH, reply: challenge(url) },
      { method: 'GET', path: TOKEN_PATH, reply: tokenAnswer({ expires_in: 300 }) },
    ]);
    const { session } = tracedSession('scripted no token', server.host);
    const error = await expectError('token answer empty', () =>
      session.request({ ...get, scopes }),
    );
    assert.equal(error.code, ErrorCode.Token);
    server.assertDone();
  });

  it('ask for the challenge scope when the request names none', async () => {
    const server = await script((url) => [
      {
        method: 'GET',
        path: '/v2/_catalog',
        reply: challenge(url, ',scope="registry:catalog:*"'),
      },
      {
        method: 'GET',
        path: '/token?x=1&service=svc&scope=registry%3Acatalog%3A*',
        reply: tokenAnswer({ token: 'catalog-token-0123456789' }),
      },
      { method: 'GET', path: '/v2/_catalog', reply: () => ({ status: 200 }) },
    ]);
    const { session } = tracedSession('scripted catalog', server.host);
    await (await session.request({ ...get, url: '/v2/_catalog', scopes: [] })).dump();
    server.assertDone();
  });
});
