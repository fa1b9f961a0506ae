import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import {
  MAX_ERROR_BODY_BYTES,
  parseErrorBody,
  RegistryError,
  readErrorBody,
} from '../../src/registry/registry-error.js';
import { captureText } from '../harness/cli.js';

const base = { method: 'PUT', url: 'https://r.example/v2/a/manifests/1', errors: [] };

describe('RegistryError keeps what the registry said', () => {
  it('maps statuses to stable codes', () => {
    const codeOf = (status: number) => new RegistryError({ ...base, status }).code;
    assert.equal(codeOf(401), ErrorCode.Unauthorized);
    assert.equal(codeOf(403), ErrorCode.Denied);
    assert.equal(codeOf(404), ErrorCode.NotFound);
    assert.equal(codeOf(429), ErrorCode.TooManyRequests);
    assert.equal(codeOf(400), ErrorCode.Registry);
    assert.equal(codeOf(500), ErrorCode.Registry);
  });

  it('parses errors[] and gives a hint per distribution-spec code', () => {
    const body = JSON.stringify({
      errors: [
        {
          code: 'MANIFEST_BLOB_UNKNOWN',
          message: 'blob unknown to registry',
          detail: 'sha256:aa',
        },
      ],
    });
    const error = new RegistryError({
      ...base,
      status: 400,
      errors: parseErrorBody(body),
      operation: 'manifest put',
    });
    captureText('registry error MANIFEST_BLOB_UNKNOWN', error.message);
    assert.equal(error.status, 400);
    assert.equal(error.method, 'PUT');
    assert.deepEqual(error.errors, [
      {
        code: 'MANIFEST_BLOB_UNKNOWN',
        message: 'blob unknown to registry',
        detail: 'sha256:aa',
      },
    ]);
    assert.ok(error.has('MANIFEST_BLOB_UNKNOWN'));
    assert.match(
      error.message,
      /manifest put failed: PUT .* answered 400 \(MANIFEST_BLOB_UNKNOWN/,
    );
    assert.match(error.hint ?? '', /push the children first/);
  });

  it('has hints for NAME_UNKNOWN and UNSUPPORTED', () => {
    const hint = (code: string) =>
      new RegistryError({
        ...base,
        status: 404,
        errors: [{ code, message: '', detail: null }],
      }).hint;
    assert.match(hint('NAME_UNKNOWN') ?? '', /repository does not exist/);
    assert.match(hint('UNSUPPORTED') ?? '', /does not support/);
  });

  it('redacts the URL it keeps and shows', () => {
    const error = new RegistryError({
      ...base,
      status: 404,
      url: 'https://user:pw@r.example/v2/a/blobs/uploads/u?_state=SECRETSTATE&x=1',
    });
    assert.ok(!error.url.includes('SECRETSTATE'));
    assert.ok(!error.message.includes('SECRETSTATE'));
    assert.ok(!error.message.includes('pw@'));
    assert.match(error.url, /x=1/);
  });

  it('marks overload and rate limit as retryable, client errors not', () => {
    assert.equal(new RegistryError({ ...base, status: 503 }).retryable, true);
    assert.equal(new RegistryError({ ...base, status: 429 }).retryable, true);
    assert.equal(new RegistryError({ ...base, status: 400 }).retryable, false);
  });

  it('gives no entries for a body that is not a distribution error', () => {
    assert.deepEqual(parseErrorBody('404 page not found'), []);
    assert.deepEqual(parseErrorBody('{"errors": "no"}'), []);
    assert.deepEqual(parseErrorBody('null'), []);
  });

  it('reads at most 64 KiB of an error body', async () => {
    const huge = Buffer.alloc(MAX_ERROR_BODY_BYTES * 4, 0x61);
    const text = await readErrorBody(Readable.from([huge.subarray(0, 100_000), huge]));
    assert.equal(text.length, MAX_ERROR_BODY_BYTES);
  });
});
