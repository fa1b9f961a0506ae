import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { StaticCredentials } from '../../src/registry/credentials.js';
import { RegistryError } from '../../src/registry/registry-error.js';
import { type Scripted, startScripted } from '../harness/scripted.js';
import { closeAll, expectError, tracedSession } from './session-helpers.js';

const PASSWORD = 'echoed-pw-7d2e9a';
const TOKEN = 'echoed-token-0c55aa71b3';
const servers: Scripted[] = [];
after(async () => {
  await closeAll();
  await Promise.all(servers.map((s) => s.close()));
});

describe('secrets a registry echoes back', () => {
  it('are redacted from error messages and the trace', async () => {
    let base = '';
    const server = await startScripted([
      {
        method: 'GET',
        path: '/v2/a/manifests/1',
        reply: () => ({
          status: 401,
          headers: { 'www-authenticate': `Bearer realm="${base}/token",service="s"` },
        }),
      },
      {
        method: 'GET',
        path: '/token?service=s&scope=repository%3Aa%3Apull',
        reply: () => ({ status: 200, body: JSON.stringify({ token: TOKEN }) }),
      },
      {
        method: 'GET',
        path: '/v2/a/manifests/1',
        reply: () => ({
          status: 400,
          headers: { 'x-debug': `user ann password ${PASSWORD} token ${TOKEN}` },
          body: JSON.stringify({
            errors: [
              {
                code: 'DENIED',
                message: `ann:${PASSWORD} with ${TOKEN}`,
                detail: { sent: `Bearer ${TOKEN}` },
              },
            ],
          }),
        }),
      },
    ]);
    base = server.url;
    servers.push(server);
    const { session, logger } = tracedSession('echoed secrets', server.host, {
      credentials: new StaticCredentials({
        [server.host]: { username: 'ann', password: PASSWORD },
      }),
    });
    const error = await expectError('echoed secrets', () =>
      session.request({
        method: 'GET',
        url: '/v2/a/manifests/1',
        scopes: [{ type: 'repository', name: 'a', actions: ['pull'] }],
        expect: [200],
      }),
    );
    server.assertDone();
    assert.ok(error instanceof RegistryError);
    assert.ok(error.has('DENIED'));
    const json = JSON.stringify(error.toJSON());
    for (const text of [error.message, json, ...logger.lines.map((l) => l.message)]) {
      assert.ok(!text.includes(PASSWORD), text);
      assert.ok(!text.includes(TOKEN), text);
    }
  });
});
