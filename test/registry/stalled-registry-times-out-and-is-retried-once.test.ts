import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ExitCode, exitCodeFor } from '../../src/cli/exit.js';
import { ErrorCode } from '../../src/errors.js';
import { MAX_HEADERS_TIMEOUT_RETRIES } from '../../src/registry/send-retry.js';
import { isSlowRequest } from '../../src/registry/transport.js';
import { closeAll, expectError, tracedSession } from './session-helpers.js';

/**
 * A registry that accepts requests and never answers: the short headers
 * timeout ends each try, and a stall is retried MAX_HEADERS_TIMEOUT_RETRIES
 * times, not the full retry count. The timeout is set low through the
 * session option; the real defaults are not timed here.
 */

const server = createServer((_request, response) => {
  stalled.push(response);
});
const stalled: ServerResponse[] = [];
let host = '';

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await closeAll();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('a registry that never answers', { timeout: 20_000 }, () => {
  it('fails with GANTRY_E_TIMEOUT after one try and the named retries', async () => {
    const { session } = tracedSession('stalled registry', host, {
      timeouts: { headersMs: 100 },
      retry: { attempts: 5, baseDelayMs: 0 },
    });
    const error = await expectError('stalled registry', () =>
      session.request({
        method: 'GET',
        url: '/v2/a/b/manifests/latest',
        scopes: [],
        expect: [200],
      }),
    );
    assert.equal(error.code, ErrorCode.Timeout);
    assert.ok(error.message.includes(host), error.message);
    assert.equal(stalled.length, 1 + MAX_HEADERS_TIMEOUT_RETRIES);
    // The CLI reports it with the network exit code.
    assert.equal(exitCodeFor(error), ExitCode.Network);
  });
});

describe('which requests get the long headers timeout', () => {
  const upload = new URL('http://r.example/v2/a/blobs/uploads/123?_state=x');
  const manifest = new URL('http://r.example/v2/a/manifests/latest');
  const body = new Uint8Array(1);

  it('the closing PUT of an upload and a PATCH with a body', () => {
    assert.equal(isSlowRequest('PUT', upload, undefined), true);
    assert.equal(isSlowRequest('PATCH', upload, body), true);
  });

  it('not a GET, a HEAD, a POST opening an upload, or a manifest PUT', () => {
    assert.equal(isSlowRequest('GET', manifest, undefined), false);
    assert.equal(isSlowRequest('HEAD', manifest, undefined), false);
    assert.equal(
      isSlowRequest('POST', new URL('http://r.example/v2/a/blobs/uploads/'), undefined),
      false,
    );
    assert.equal(isSlowRequest('PUT', manifest, body), false);
    assert.equal(isSlowRequest('PATCH', upload, undefined), false);
  });
});
