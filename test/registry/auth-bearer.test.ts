import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { Digest } from '../../src/oci/digest.js';
import { type Credential, StaticCredentials } from '../../src/registry/credentials.js';
import type { Scope } from '../../src/registry/types.js';
import {
  getRegistries,
  TEST_USERS,
  type TestRegistry,
  TOKEN_SERVICE,
} from '../harness/registries.js';
import {
  closeAll,
  expectError,
  type TracedSession,
  tracedSession,
} from './session-helpers.js';

let token: TestRegistry;
before(async () => {
  token = (await getRegistries()).token;
});
after(closeAll);

const pullPush = (name: string): Scope => ({
  type: 'repository',
  name,
  actions: ['pull', 'push'],
});
const pull = (name: string): Scope => ({ type: 'repository', name, actions: ['pull'] });

function session(label: string, credential?: Credential): TracedSession {
  return tracedSession(label, token.host, {
    ...(credential === undefined
      ? {}
      : { credentials: new StaticCredentials({ [token.host]: credential }) }),
  });
}

/** The token requests a session sent, from its trace. */
function tokenRequests(traced: TracedSession): string[] {
  return traced.sent().filter((line) => line.includes(` ${token.tokenRealm!}`));
}

async function pushBlob(traced: TracedSession, repository: string, bytes: Uint8Array) {
  const digest = Digest.of(bytes).toString();
  const start = await traced.session.request({
    method: 'POST',
    url: `/v2/${repository}/blobs/uploads/`,
    scopes: [pullPush(repository)],
    expect: [202],
  });
  await start.dump();
  const location = new URL(start.headers.location!, start.url);
  location.searchParams.set('digest', digest);
  const put = await traced.session.request({
    method: 'PUT',
    url: location.toString(),
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
    scopes: [pullPush(repository)],
    expect: [201],
  });
  await put.dump();
  return digest;
}

describe('Bearer token authentication', () => {
  it('lets alice upload, with one token reused across the upload', async () => {
    const alice = session('bearer alice upload', {
      username: 'alice',
      password: TEST_USERS.alice,
    });
    await pushBlob(
      alice,
      'session/bearer-src',
      new TextEncoder().encode(`b ${Date.now()}`),
    );
    assert.equal(tokenRequests(alice).length, 1, 'POST and PUT share one cached token');
    assert.match(tokenRequests(alice)[0]!, /"authorization":"Basic REDACTED"/);
    const log = alice.logger.lines.map((l) => l.message).join('\n');
    assert.ok(!log.includes(TEST_USERS.alice));
    assert.ok(
      !/Bearer (?!REDACTED)[A-Za-z0-9._-]{20,}/.test(log),
      'no token in the trace',
    );
  });

  it('asks for both scopes of a cross-repository mount in one request', async () => {
    const alice = session('bearer alice mount', {
      username: 'alice',
      password: TEST_USERS.alice,
    });
    const digest = await pushBlob(
      alice,
      'session/mount-src',
      new TextEncoder().encode(`m ${Date.now()}`),
    );
    const before = tokenRequests(alice).length;
    const mount = await alice.session.request({
      method: 'POST',
      url: `/v2/session/mount-dst/blobs/uploads/?mount=${digest}&from=session/mount-src`,
      scopes: [pullPush('session/mount-dst'), pull('session/mount-src')],
      expect: [201],
    });
    assert.equal(mount.headers['docker-content-digest'], digest);
    await mount.dump();
    const added = tokenRequests(alice).slice(before);
    assert.equal(added.length, 1);
    assert.ok(added[0]!.includes('scope=repository%3Asession%2Fmount-dst%3Apull%2Cpush'));
    assert.ok(added[0]!.includes('scope=repository%3Asession%2Fmount-src%3Apull'));
    assert.ok(added[0]!.includes(`service=${TOKEN_SERVICE}`));
  });

  it('reports bob pushing as GANTRY_E_DENIED, naming repository and action', async () => {
    const bob = session('bearer bob push', { username: 'bob', password: TEST_USERS.bob });
    const error = await expectError('bearer bob denied', () =>
      bob.session.request({
        method: 'POST',
        url: '/v2/session/bob/blobs/uploads/',
        scopes: [pullPush('session/bob')],
        expect: [202],
        operation: 'blob upload',
      }),
    );
    assert.equal(error.code, ErrorCode.Denied);
    assert.match(error.message, /session\/bob/);
    assert.match(error.message, /push/);
    assert.equal(
      error.hint,
      `the credentials for ${token.host} do not allow pull and push on session/bob`,
    );
    assert.ok(!error.message.includes(TEST_USERS.bob));
  });

  it('reports a wrong password at the token server as UNAUTHORIZED', async () => {
    const wrong = `${TEST_USERS.alice}-typo`;
    const alice = session('bearer wrong password', {
      username: 'alice',
      password: wrong,
    });
    const error = await expectError('bearer wrong password', () =>
      alice.session.request({
        method: 'GET',
        url: '/v2/session/any/tags/list',
        scopes: [pull('session/any')],
        expect: [200, 404],
      }),
    );
    assert.equal(error.code, ErrorCode.Unauthorized);
    assert.match(error.hint ?? '', /check the username and password/);
    assert.ok(!error.message.includes(wrong));
  });

  it('pulls anonymously, but asks an anonymous push for credentials', async () => {
    const anonymous = session('bearer anonymous');
    const missing = await anonymous.session.request({
      method: 'GET',
      url: '/v2/session/nobody/tags/list',
      scopes: [pull('session/nobody')],
      expect: [200, 404],
    });
    assert.equal(missing.status, 404);
    await missing.dump();
    const error = await expectError('bearer anonymous push', () =>
      anonymous.session.request({
        method: 'POST',
        url: '/v2/session/nobody/blobs/uploads/',
        scopes: [pullPush('session/nobody')],
        expect: [202],
      }),
    );
    assert.equal(error.code, ErrorCode.Unauthorized);
    assert.match(error.hint ?? '', /--username USER --password-stdin, .*docker login/);
  });

  it('shares one token request among requests sent at once', async () => {
    const alice = session('bearer parallel', {
      username: 'alice',
      password: TEST_USERS.alice,
    });
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        alice.session.request({
          method: 'GET',
          url: '/v2/session/parallel/tags/list',
          scopes: [pull('session/parallel')],
          expect: [200, 404],
        }),
      ),
    );
    await Promise.all(responses.map((r) => r.dump()));
    assert.deepEqual(
      responses.map((r) => r.status),
      [404, 404, 404, 404, 404],
    );
    assert.equal(tokenRequests(alice).length, 1);
  });

  it('exchanges an identity token through the OAuth2 refresh_token grant', async () => {
    const refresh = await offlineRefreshToken();
    const alice = session('bearer identity token', { identityToken: refresh });
    await pushBlob(alice, 'session/oauth', new TextEncoder().encode(`o ${Date.now()}`));
    const requests = tokenRequests(alice);
    assert.equal(requests.length, 1);
    assert.match(requests[0]!, /^http > POST /);
    const log = alice.logger.lines.map((l) => l.message).join('\n');
    assert.ok(!log.includes(refresh));
  });

  it('probes /v2/ before a streamed body and sends the token with it', async () => {
    const alice = session('bearer stream', {
      username: 'alice',
      password: TEST_USERS.alice,
    });
    const response = await alice.session.request({
      method: 'POST',
      url: '/v2/session/bearer-stream/blobs/uploads/',
      body: Readable.from([]),
      scopes: [pullPush('session/bearer-stream')],
      expect: [202],
    });
    await response.dump();
    const lines = alice.sent();
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^http > GET \S+\/v2\/ /);
    assert.match(lines[1]!, /^http > GET \S+\/token\?/);
    assert.match(lines[2]!, /^http > POST .*"authorization":"Bearer REDACTED"/);
  });
});

/** A refresh token from the token server, as `docker login` would store it. */
async function offlineRefreshToken(): Promise<string> {
  const url = new URL(token.tokenRealm!);
  url.searchParams.set('service', TOKEN_SERVICE);
  url.searchParams.set('offline_token', 'true');
  url.searchParams.set('client_id', 'gantry-test');
  const basic = Buffer.from(`alice:${TEST_USERS.alice}`).toString('base64');
  const response = await fetch(url, { headers: { authorization: `Basic ${basic}` } });
  const body = (await response.json()) as { refresh_token?: string };
  assert.equal(typeof body.refresh_token, 'string');
  return body.refresh_token!;
}
