import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { ErrorCode, GantryError } from '../../src/errors.js';
import { Digest } from '../../src/oci/digest.js';
import { Reference } from '../../src/reference/reference.js';
import type { RegistryRequest, RegistrySession } from '../../src/registry/types.js';
import { StreamedSendError, sendStreamed } from '../../src/registry/upload-stream.js';

/**
 * A streamed PATCH whose socket resets: undici destroys the request body
 * with the socket's error, and Node throws that error into the generator
 * that feeds the body. It is the send's failure, to be resumed, never the
 * source's (which would end the upload with a raw `write ECONNRESET`). A
 * source that really fails is still named. Scripted sessions: a real
 * registry cannot be made to reset a socket at a chosen moment.
 */

const PIECE = 1024;
const PIECES = 8;
const bytes = Buffer.alloc(PIECE * PIECES, 7);
const descriptor = { digest: Digest.of(bytes), size: bytes.length };
const repo = Reference.parseRepository('127.0.0.1:1/stream/blob');

function pieces(fail?: Error): Readable {
  return Readable.from(
    (async function* () {
      for (let i = 0; i < PIECES; i++) {
        if (fail !== undefined && i === PIECES / 2) throw fail;
        yield bytes.subarray(i * PIECE, (i + 1) * PIECE);
      }
    })(),
  );
}

/** A session whose PATCH reads one piece, then its socket resets. */
function resetting(): RegistrySession {
  return {
    registry: '127.0.0.1:1',
    baseUrl: 'http://127.0.0.1:1',
    async request(request: RegistryRequest) {
      const body = request.body as Readable;
      for await (const _piece of body) break;
      const reset = Object.assign(new Error('write ECONNRESET'), { code: 'ECONNRESET' });
      body.destroy(reset);
      await finished(body).catch(() => undefined);
      throw new GantryError(ErrorCode.Network, 'PATCH: connection reset');
    },
  };
}

/** A session whose PATCH reads the whole body, which ends in the source's error. */
function reading(): RegistrySession {
  return {
    registry: '127.0.0.1:1',
    baseUrl: 'http://127.0.0.1:1',
    async request(request: RegistryRequest) {
      for await (const _piece of request.body as Readable);
      throw new Error('unreachable: the body ends with the source error');
    },
  };
}

async function failure(
  stream: Readable,
  session: RegistrySession,
): Promise<StreamedSendError> {
  const error = await sendStreamed({
    session,
    repo,
    descriptor,
    location: 'http://127.0.0.1:1/v2/stream/blob/blobs/uploads/x',
    offset: 0,
    stream,
    nextLocation: (_response, current) => current,
  }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof StreamedSendError, String(error));
  return error;
}

describe('a streamed upload whose connection resets', () => {
  it('fails as a send, with no source error', async () => {
    const error = await failure(pieces(), resetting());
    assert.equal(error.sourceError, undefined);
    assert.ok(error.failure instanceof GantryError);
    assert.equal(error.failure.code, ErrorCode.Network);
  });

  it('still names a source that broke by itself', async () => {
    const broken = new Error('disk read failed');
    const error = await failure(pieces(broken), reading());
    assert.equal(error.sourceError, broken);
  });
});
