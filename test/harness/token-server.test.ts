import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fetch } from 'undici';
import { recordedSecrets } from './secrets.js';
import { startTokenServer, type TokenServer } from './token-server.js';

const users = { alice: 'alice-test-password', bob: 'bob-test-password' };
const EXPIRES_IN = 42;
let server: TokenServer;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gantry-token-test-'));
  server = await startTokenServer({ dir, users, issuer: 'iss', expiresIn: EXPIRES_IN });
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

type TokenBody = { access_token: string; expires_in: number; refresh_token?: string };

function access(token: string): unknown {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))
    .access;
}

function form(fields: Record<string, string>) {
  return fetch(server.realm, { method: 'POST', body: new URLSearchParams(fields) });
}

test('GET grants every scope parameter and records the token', async () => {
  const url = `${server.realm}?service=s&scope=repository:a:pull&scope=repository:b:push`;
  const auth = `Basic ${Buffer.from(`alice:${users.alice}`).toString('base64')}`;
  const response = await fetch(url, { headers: { authorization: auth } });
  assert.equal(response.status, 200);
  const body = (await response.json()) as TokenBody;
  assert.equal(body.expires_in, EXPIRES_IN);
  assert.deepEqual(access(body.access_token), [
    { type: 'repository', name: 'a', actions: ['pull'] },
    { type: 'repository', name: 'b', actions: ['push'] },
  ]);
  assert.ok(server.issuedTokens.includes(body.access_token));
  assert.ok(recordedSecrets().includes(body.access_token));
  assert.deepEqual(server.requests.at(-1), {
    method: 'GET',
    caller: 'alice',
    scopes: ['repository:a:pull', 'repository:b:push'],
  });
});

test('POST password grant and refresh grant issue tokens for the same user', async () => {
  const first = await form({
    grant_type: 'password',
    username: 'bob',
    password: users.bob,
    scope: 'repository:a:pull,push',
    service: 's',
    access_type: 'offline',
  });
  assert.equal(first.status, 200);
  const body = (await first.json()) as TokenBody;
  assert.deepEqual(access(body.access_token), [
    { type: 'repository', name: 'a', actions: ['pull'] },
  ]);
  assert.ok(body.refresh_token && recordedSecrets().includes(body.refresh_token));

  const refreshed = await form({
    grant_type: 'refresh_token',
    refresh_token: body.refresh_token,
  });
  assert.equal(refreshed.status, 200);
  assert.equal(server.requests.at(-1)?.caller, 'bob');
});

test('a wrong password or unknown refresh token gets 401, a bad grant 400', async () => {
  const bad = await form({ grant_type: 'password', username: 'alice', password: 'x' });
  assert.equal(bad.status, 401);
  const unknown = await form({ grant_type: 'refresh_token', refresh_token: 'nope' });
  assert.equal(unknown.status, 401);
  const unsupported = await form({ grant_type: 'client_credentials' });
  assert.equal(unsupported.status, 400);
  const auth = `Basic ${Buffer.from('nobody:x').toString('base64')}`;
  const get = await fetch(`${server.realm}?service=s`, {
    headers: { authorization: auth },
  });
  assert.equal(get.status, 401);
});
