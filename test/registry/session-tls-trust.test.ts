import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { closeAll, expectError, tracedSession } from './session-helpers.js';

let tls: TestRegistry;
before(async () => {
  tls = (await getRegistries()).tls;
});
after(closeAll);

const ping = { method: 'GET' as const, url: '/v2/', scopes: [], expect: [200] };

describe('TLS to a registry with its own CA', () => {
  it('connects when the CA file is given for that registry', async () => {
    // A CA file makes even a loopback registry speak TLS.
    const { session } = tracedSession('tls with ca', tls.host, {
      caFiles: { [tls.host]: tls.caFile! },
    });
    assert.equal(session.baseUrl, tls.url);
    const response = await session.request(ping);
    assert.equal(response.status, 200);
    await response.dump();
  });

  it('fails with GANTRY_E_TLS and a hint to trust the CA, without it', async () => {
    const { session } = tracedSession('tls without ca', tls.host, { plainHttp: 'never' });
    const error = await expectError('tls unknown ca', () => session.request(ping));
    assert.equal(error.code, ErrorCode.Tls);
    assert.ok(error.message.includes(tls.host));
    assert.ok(error.hint?.includes(`--ca-file ${tls.host}=`));
    assert.ok(error.hint?.includes(`--insecure-registry ${tls.host}`));
  });

  it('does not use a CA file given for another registry', async () => {
    const { session } = tracedSession('tls other ca', tls.host, {
      plainHttp: 'never',
      caFiles: { 'other.example': tls.caFile! },
    });
    const error = await expectError('tls other ca', () => session.request(ping));
    assert.equal(error.code, ErrorCode.Tls);
  });

  it('skips verification only for a registry named insecure', async () => {
    const { session } = tracedSession('tls insecure', tls.host, {
      plainHttp: 'never',
      insecure: [tls.host],
    });
    const response = await session.request(ping);
    assert.equal(response.status, 200);
    await response.dump();
  });

  it('reports a missing CA file as a TLS setup error', () => {
    assert.throws(
      () =>
        tracedSession('tls missing ca', tls.host, {
          caFiles: { [tls.host]: '/nonexistent/ca.pem' },
        }),
      (error: unknown) => (error as { code?: string }).code === ErrorCode.Tls,
    );
  });
});
