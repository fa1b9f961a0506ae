import { type Readable, Transform } from 'node:stream';
import { ErrorCode, GantryError } from '../errors.js';
import { describeCause, networkError } from './network-error.js';
import { redactUrl } from './redact.js';
import { discard, type TransportResponse } from './transport.js';
import type { RegistryResponse } from './types.js';

/**
 * The RegistryResponse handed to resource modules: the body is read once,
 * and a read that would pass its limit stops and fails instead of filling
 * memory.
 */

/**
 * JSON answers (tag lists, catalogs, token responses) are small; 16 MiB is
 * four times the largest manifest a registry accepts and plenty for a page.
 */
export const DEFAULT_TEXT_LIMIT_BYTES = 16 * 1024 * 1024;

/** `registry` names the registry in errors about a body cut short. */
export function toRegistryResponse(
  answer: TransportResponse,
  registry: string,
): RegistryResponse {
  // Most answers are only dumped (HEAD, 201, 202, 204): the guard around the
  // body (a Transform and a pipe) is made only when someone reads it.
  let guarded: Readable | undefined;
  const body = (): Readable => {
    guarded ??= guardedBody(answer, registry);
    return guarded;
  };
  // Until then, a body that breaks keeps its error on the destroyed stream,
  // where guardedBody finds it; without a listener it would be thrown at the
  // process as an uncaught 'error' event.
  answer.body.on('error', ignore);
  const { url } = answer;
  let used = false;
  const claim = (): void => {
    if (used) {
      throw new GantryError(
        ErrorCode.Internal,
        `the body of ${redactUrl(url)} was read twice`,
      );
    }
    used = true;
  };
  const bytes = async (limit?: number): Promise<Uint8Array> => {
    claim();
    return readLimited(url, body(), limit);
  };
  const text = async (limit = DEFAULT_TEXT_LIMIT_BYTES): Promise<string> =>
    Buffer.from(await bytes(limit)).toString('utf8');
  return {
    status: answer.status,
    headers: answer.headers,
    url: answer.url,
    get body() {
      return body();
    },
    bytes,
    text,
    async json<T = unknown>(limit = DEFAULT_TEXT_LIMIT_BYTES): Promise<T> {
      const body = await text(limit);
      try {
        return JSON.parse(body) as T;
      } catch (error) {
        throw new GantryError(
          ErrorCode.Registry,
          `${redactUrl(url)} answered invalid JSON`,
          {
            cause: error,
            hint:
              'a proxy or login page may have answered instead of the registry: ' +
              'check the registry address',
          },
        );
      }
    },
    async dump(): Promise<void> {
      if (used) return;
      used = true;
      await discard(guarded ?? answer.body);
    },
  };
}

function ignore(): void {}

async function readLimited(url: string, body: Readable, limit?: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (limit !== undefined && size > limit) {
      body.destroy();
      throw new GantryError(
        ErrorCode.Registry,
        `the answer from ${redactUrl(url)} is over the ${limit} bytes allowed`,
        {
          details: { limit },
          hint: 'the registry sent more than this kind of answer holds',
        },
      );
    }
    chunks.push(buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * The body handed on, with the errors of the wire (a dropped, reset or
 * stalled connection: undici's UND_ERR_SOCKET, ECONNRESET, aborted,
 * UND_ERR_BODY_TIMEOUT) turned into GANTRY_E_NETWORK or GANTRY_E_TIMEOUT
 * that name the request, whoever reads it: never an internal error.
 */
function guardedBody(response: TransportResponse, registry: string): Readable {
  const source = response.body;
  let received = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      done(null, chunk);
    },
  });
  const broke = (error: unknown): void => {
    counted.destroy(bodyError(error, response, registry, received));
  };
  // It may have broken already, before anyone asked for it.
  if (source.errored !== null) broke(source.errored);
  else source.once('error', broke);
  // The body may break before anyone reads it (a blob opened, then read
  // once an upload is under way). The error stays on the destroyed stream,
  // where a reader's for-await or pipeline gets it; without this listener
  // it would be thrown at the process as an uncaught 'error' event.
  counted.on('error', () => {});
  // A reader that stops early releases the connection.
  counted.once('close', () => source.destroy());
  return source.pipe(counted);
}

function bodyError(
  error: unknown,
  response: TransportResponse,
  registry: string,
  received: number,
): GantryError {
  const target = redactUrl(response.url);
  const announced = response.headers['content-length'];
  const of = announced === undefined ? '' : ` of ${announced}`;
  const failure = networkError(error, response.method, target, registry);
  failure.message =
    `${response.method} ${target}: the body broke off after ${received}${of} ` +
    `bytes (${describeCause(error)})`;
  failure.details.received = received;
  return failure;
}
