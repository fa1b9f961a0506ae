import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { StaticCredentials } from '../../src/registry/credentials.js';
import { getRegistries, TEST_USERS, type TestRegistry } from '../harness/registries.js';
import { closeAll, expectError, tracedSession } from './session-helpers.js';

let basic: TestRegistry;
before(async () => {
  basic = (await getRegistries()).basic;
});
after(closeAll);

const ping = { method: 'GET' as const, url: '/v2/', scopes: [], expect: [200] };
const as = (username: string, password: string) => ({
  credentials: new StaticCredentials({ [basic.host]: { username, password } }),
});

describe('Basic authentication (htpasswd registry)', () => {
  it('answers the challenge, then sends credentials up front', async () => {
    const { session, sent, logger } = tracedSession('basic alice', basic.host, {
      ...as('alice', TEST_USERS.alice),
    });
    await (await session.request(ping)).dump();
    assert.equal(sent().length, 2);
    assert.ok(!sent()[0]!.includes('authorization'));
    assert.match(sent()[1]!, /"authorization":"Basic REDACTED"/);

    await (await session.request(ping)).dump();
    assert.equal(sent().length, 3, 'the second request needs no new challenge');
    const log = logger.lines.map((l) => l.message).join('\n');
    assert.ok(!log.includes(TEST_USERS.alice));
  });

  it('reports a wrong password as GANTRY_E_UNAUTHORIZED, not quoting it', async () => {
    const wrong = `${TEST_USERS.alice}-wrong`;
    const { session } = tracedSession('basic wrong password', basic.host, {
      ...as('alice', wrong),
    });
    const error = await expectError('basic wrong password', () => session.request(ping));
    assert.equal(error.code, ErrorCode.Unauthorized);
    assert.match(error.hint ?? '', /check the username and password/);
    assert.ok(!error.message.includes(wrong));
    assert.ok(!JSON.stringify(error.toJSON()).includes(wrong));
  });

  it('says credentials are needed when there are none', async () => {
    const { session } = tracedSession('basic anonymous', basic.host);
    const error = await expectError('basic anonymous', () => session.request(ping));
    assert.equal(error.code, ErrorCode.Unauthorized);
    assert.match(error.hint ?? '', /--username USER --password-stdin, .*docker login/);
  });

  it('probes /v2/ before a streamed body, then sends it once, signed in', async () => {
    const { session, sent } = tracedSession('basic stream', basic.host, {
      ...as('alice', TEST_USERS.alice),
    });
    const response = await session.request({
      method: 'POST',
      url: '/v2/session/basic-stream/blobs/uploads/',
      body: Readable.from([]),
      scopes: [
        { type: 'repository', name: 'session/basic-stream', actions: ['pull', 'push'] },
      ],
      expect: [202],
    });
    await response.dump();
    const lines = sent();
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^http > GET \S+\/v2\/ /);
    assert.match(lines[1]!, /^http > POST .*"authorization":"Basic REDACTED"/);
  });
});
