import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { parseReference } from '../../src/reference/index.js';
import { isLoopbackRegistry } from '../../src/registry/endpoint.js';
import { createSession } from '../../src/registry/session.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { closeAll, expectError, tracedSession } from './session-helpers.js';

/**
 * HTTP or HTTPS per registry: `insecure` and a CA file mean HTTPS, even on
 * loopback; `plainHttp` names registries spoken to in plain HTTP; loopback
 * otherwise stays plain HTTP, and the errors of a wrong guess say which flag
 * fixes it.
 */

let plain: TestRegistry;
let tls: TestRegistry;
before(async () => {
  ({ plain, tls } = await getRegistries());
});
after(closeAll);

const ping = { method: 'GET' as const, url: '/v2/', scopes: [], expect: [200] };

describe('HTTP or HTTPS per registry', () => {
  it('speaks unverified HTTPS to a loopback registry named insecure', async () => {
    const { session } = tracedSession('insecure loopback', tls.host, {
      insecure: [tls.host],
    });
    assert.equal(session.baseUrl, `https://${tls.host}`);
    const response = await session.request(ping);
    assert.equal(response.status, 200);
    await response.dump();
  });

  it('says an HTTP-reached registry speaks HTTPS, naming the two flags', async () => {
    const { session } = tracedSession('https-only loopback', tls.host);
    assert.equal(session.baseUrl, `http://${tls.host}`);
    const error = await expectError('https-only loopback', () => session.request(ping));
    assert.equal(error.code, ErrorCode.Tls);
    assert.match(error.message, /speaks HTTPS/);
    assert.ok(error.message.includes(tls.host));
    assert.ok(error.hint?.includes(`--ca-file ${tls.host}=PEM`), error.hint);
    assert.ok(error.hint?.includes(`--insecure-registry ${tls.host}`), error.hint);
  });

  it('hints --plain-http when HTTPS reaches a plain HTTP server', async () => {
    const { session } = tracedSession('https to plain', plain.host, {
      insecure: [plain.host],
    });
    assert.equal(session.baseUrl, `https://${plain.host}`);
    const error = await expectError('https to plain', () => session.request(ping));
    assert.equal(error.code, ErrorCode.Tls);
    assert.ok(error.hint?.includes(`--plain-http ${plain.host}`), error.hint);
    assert.doesNotMatch(error.hint ?? '', /--insecure-registry/);
  });

  it('speaks plain HTTP to registries named in plainHttp, loopback or not', async () => {
    const { session } = tracedSession('plain named', plain.host, {
      plainHttp: [plain.host],
    });
    assert.equal(session.baseUrl, `http://${plain.host}`);
    const response = await session.request(ping);
    assert.equal(response.status, 200);
    await response.dump();

    const remote = createSession('myhost:5000', { plainHttp: ['myhost:5000'] });
    assert.equal(remote.baseUrl, 'http://myhost:5000');
    await remote.close();
    const other = createSession('other:5000', { plainHttp: ['myhost:5000'] });
    assert.equal(other.baseUrl, 'https://other:5000');
    await other.close();
  });

  it('keeps plain HTTP for a loopback registry named in plainHttp and insecure', () => {
    const both = createSession(plain.host, {
      plainHttp: [plain.host],
      insecure: [plain.host],
    });
    assert.equal(both.baseUrl, `http://${plain.host}`);
    return both.close();
  });

  it('applies one loopback rule to references and sessions', () => {
    const names = [
      'localhost',
      'localhost:5000',
      '127.0.0.1:5000',
      '127.9.9.9',
      '[::1]:5000',
    ];
    const others = ['example.com', '128.0.0.1:5000', 'localhost.example', '10.0.0.1'];
    for (const name of [...names, ...others]) {
      const expected = names.includes(name);
      assert.equal(isLoopbackRegistry(name), expected, name);
      assert.equal(parseReference(`${name}/repo:tag`).isLoopback, expected, name);
    }
  });
});
