import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { toRegistryResponse } from '../../src/registry/session-response.js';
import type { TransportResponse } from '../../src/registry/transport.js';

/**
 * The guard that turns a broken body into GANTRY_E_NETWORK is made only when
 * the body is read. A body whose connection broke before that (nobody
 * listening yet) neither crashes the process nor reaches the reader as a
 * raw socket error; dumping such a body is quiet.
 */

function broken(): TransportResponse {
  const body = new Readable({ read() {} });
  const response: TransportResponse = {
    method: 'GET',
    status: 200,
    headers: { 'content-length': '100' },
    url: 'http://127.0.0.1:1/v2/a/b/manifests/latest',
    body,
  };
  body.push(Buffer.from('{"sch'));
  return response;
}

function socketError(): Error {
  return Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
}

describe('a registry answer whose body broke before anyone read it', () => {
  it('gives GANTRY_E_NETWORK naming the request to bytes()', async () => {
    const answer = broken();
    const response = toRegistryResponse(answer, '127.0.0.1:1');
    answer.body.destroy(socketError());
    await new Promise((resolve) => answer.body.once('close', resolve));
    const error = await response.bytes().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(isGantryError(error), String(error));
    assert.equal(error.code, ErrorCode.Network);
    assert.match(
      error.message,
      /GET http:\/\/127\.0\.0\.1:1\/v2\/a\/b\/manifests\/latest/,
    );
    assert.match(error.message, /broke off after 0 of 100 bytes/);
  });

  it('gives the same to a reader of the stream', async () => {
    const answer = broken();
    const response = toRegistryResponse(answer, '127.0.0.1:1');
    answer.body.destroy(socketError());
    await new Promise((resolve) => answer.body.once('close', resolve));
    const error = await (async () => {
      for await (const _chunk of response.body);
    })().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(isGantryError(error), String(error));
    assert.equal(error.code, ErrorCode.Network);
  });

  it('is dumped without an error', async () => {
    const answer = broken();
    const response = toRegistryResponse(answer, '127.0.0.1:1');
    answer.body.destroy(socketError());
    await response.dump();
    assert.equal(answer.body.destroyed, true);
  });
});
