import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Agent, fetch, getGlobalDispatcher } from 'undici';
import { captureText } from './capture.js';
import { getRegistries, type RegistryKind, type TestRegistry } from './registries.js';
import { TEST_USERS } from './users.js';

// Plain fetch only: these tests check the harness, not gantry's client.

/** Turns a deadlock into a failure instead of a hung run; not a timing check. */
const DEADLOCK_GUARD_MS = 20_000;

let registries: Record<RegistryKind, TestRegistry>;
before(async () => {
  registries = await getRegistries();
});
// Idle keep-alive sockets would hold this process open for seconds after the tests.
after(() => getGlobalDispatcher().close());

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function claims(token: string): { access: { name: string; actions: string[] }[] } {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

async function tokenFor(scope: string, authorization?: string): Promise<string> {
  const url = new URL(registries.token.tokenRealm!);
  url.searchParams.set('service', 'gantry-test');
  url.searchParams.append('scope', scope);
  const headers: Record<string, string> = authorization ? { authorization } : {};
  const response = await fetch(url, { headers });
  assert.equal(response.status, 200);
  return ((await response.json()) as { token: string }).token;
}

async function startUpload(repo: string, token?: string) {
  const headers: Record<string, string> = token
    ? { authorization: `Bearer ${token}` }
    : {};
  const response = await fetch(`${registries.token.url}/v2/${repo}/blobs/uploads/`, {
    method: 'POST',
    headers,
  });
  await response.arrayBuffer();
  return response;
}

test('a plain registry answers 200 on /v2/ over HTTP', async () => {
  assert.match(registries.plain.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const response = await fetch(`${registries.plain.url}/v2/`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('docker-distribution-api-version'), 'registry/2.0');
});

describe('a tls registry', () => {
  test('answers 200 when its CA is trusted', async () => {
    const ca = readFileSync(registries.tls.caFile!, 'utf8');
    const dispatcher = new Agent({ connect: { ca } });
    const response = await fetch(`${registries.tls.url}/v2/`, { dispatcher });
    assert.equal(response.status, 200);
    await dispatcher.close();
  });

  test('fails certificate verification without its CA', async () => {
    assert.match(registries.tls.url, /^https:/);
    await assert.rejects(fetch(`${registries.tls.url}/v2/`), (error: Error) => {
      const cause = error.cause as { code?: string } | undefined;
      captureText('tls failure without CA', `${error.message}: ${cause?.code}`);
      assert.match(String(cause?.code), /CERT|SIGNATURE|ISSUER/);
      return true;
    });
  });
});

describe('a basic-auth registry', () => {
  test('answers 401 with a Basic challenge without credentials', async () => {
    const response = await fetch(`${registries.basic.url}/v2/`);
    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /^Basic realm=/);
  });

  test('answers 200 with alice and 401 with a wrong password', async () => {
    const url = `${registries.basic.url}/v2/`;
    assert.equal(registries.basic.users?.alice, TEST_USERS.alice);
    const good = await fetch(url, {
      headers: { authorization: basic('alice', TEST_USERS.alice) },
    });
    assert.equal(good.status, 200);
    const bad = await fetch(url, { headers: { authorization: basic('alice', 'wrong') } });
    assert.equal(bad.status, 401);
  });
});

describe('a token-auth registry', () => {
  test('challenges with Bearer realm and service', async () => {
    const response = await startUpload('x/y');
    assert.equal(response.status, 401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    captureText('token registry challenge', challenge);
    const realm = registries.token.tokenRealm!;
    assert.ok(challenge.startsWith(`Bearer realm="${realm}",service="gantry-test"`));
  });

  test("lets alice's push token start a blob upload", async () => {
    const auth = basic('alice', TEST_USERS.alice);
    const token = await tokenFor('repository:x/y:pull,push', auth);
    assert.deepEqual(claims(token).access, [
      { type: 'repository', name: 'x/y', actions: ['pull', 'push'] },
    ]);
    assert.equal((await startUpload('x/y', token)).status, 202);
  });

  test('gives bob pull only: his upload is refused, insufficient_scope', async () => {
    const token = await tokenFor(
      'repository:x/y:pull,push',
      basic('bob', TEST_USERS.bob),
    );
    assert.deepEqual(claims(token).access[0]?.actions, ['pull']);
    const response = await startUpload('x/y', token);
    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /insufficient_scope/);
  });

  test('gives anonymous callers a pull-only token that can read', async () => {
    const token = await tokenFor('repository:x/y:pull,push');
    assert.deepEqual(claims(token).access[0]?.actions, ['pull']);
    const read = await fetch(`${registries.token.url}/v2/x/y/tags/list`, {
      headers: { authorization: `Bearer ${token}` },
    });
    captureText('anonymous tags list', await read.text());
    assert.equal(read.status, 404, 'authorised read of a missing repository');
    assert.equal((await startUpload('x/y', token)).status, 401);
  });

  test('refuses a wrong password at the token server', async () => {
    const query = 'service=gantry-test&scope=repository:x/y:pull';
    const url = `${registries.token.tokenRealm}?${query}`;
    const response = await fetch(url, {
      headers: { authorization: basic('alice', 'nope') },
    });
    assert.equal(response.status, 401);
    captureText('token server refusal', await response.text());
  });
});

test('the token server answers while this process is blocked in a sync child', () => {
  // skopeo run with execFileSync must not deadlock on a token request.
  const script =
    'fetch(process.argv[1]).then((r) => process.stdout.write(String(r.status)))';
  const url = `${registries.token.tokenRealm}?service=gantry-test`;
  const status = execFileSync(process.execPath, ['-e', script, url], {
    encoding: 'utf8',
    timeout: DEADLOCK_GUARD_MS,
  });
  assert.equal(status, '200');
});
