import type { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import type { Dispatcher } from 'undici';
// undici's entry loads all of undici (fetch, WebSocket, caches, mocks: about
// 110 modules, tens of milliseconds at every start of gantry); the agent
// and the request call are about 30. Types: undici-parts.d.ts.
import requestOn from 'undici/lib/api/api-request.js';
import Agent from 'undici/lib/dispatcher/agent.js';
import { ErrorCode, GantryError } from '../errors.js';
import { debugEnabled, type Logger } from '../log.js';
import { describeCause, networkError } from './network-error.js';
import { redactHeaders, redactUrl } from './redact.js';
import type { HttpMethod } from './types.js';

/**
 * HTTP for one registry: keep-alive connections through undici, the
 * registry's TLS settings, redirects followed by hand so credentials never
 * travel to another origin, and a redacted one-line trace per exchange.
 */

/** A registry that takes longer than this to accept a connection is down. */
export const CONNECT_TIMEOUT_MS = 30_000;
/**
 * Most answers come at once (manifests, tags, tokens, HEAD of a blob, the
 * POST that opens an upload): a registry silent this long is stuck, and
 * waiting longer only turns a stall into a hang.
 */
export const HEADERS_TIMEOUT_MS = 30_000;
/**
 * The closing PUT of a blob upload and a PATCH with a body: the registry
 * stores and hashes the whole blob before it answers, minutes for a large one.
 */
export const UPLOAD_HEADERS_TIMEOUT_MS = 5 * 60_000;
/** A body that sends nothing for this long is stalled, however large it is. */
export const BODY_IDLE_TIMEOUT_MS = 2 * 60_000;
/** Idle connections are kept this long for the next request. */
export const KEEP_ALIVE_TIMEOUT_MS = 30_000;
/** As in the fetch standard and most HTTP clients. */
export const MAX_REDIRECTS = 10;

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** How long to wait for the headers of an answer, by kind of request. */
export interface TransportTimeouts {
  headersMs: number;
  uploadHeadersMs: number;
}

export const DEFAULT_TRANSPORT_TIMEOUTS: Readonly<TransportTimeouts> = Object.freeze({
  headersMs: HEADERS_TIMEOUT_MS,
  uploadHeadersMs: UPLOAD_HEADERS_TIMEOUT_MS,
});

/** True for a request the registry legitimately works on before it answers. */
export function isSlowRequest(
  method: HttpMethod,
  url: URL,
  body: Uint8Array | Readable | undefined,
): boolean {
  if (method === 'PATCH') return body !== undefined;
  return method === 'PUT' && url.pathname.includes('/blobs/uploads/');
}

export interface TransportOptions {
  /** The registry's own origin: the only one that gets its TLS exceptions. */
  origin: string;
  registry: string;
  /** PEM text added to the default trust for every origin this session talks to. */
  ca?: string | undefined;
  /** Skip certificate checks for the registry's origin only. */
  insecure: boolean;
  logger: Logger;
  userAgent: string;
  redact: (text: string) => string;
  timeouts?: Partial<TransportTimeouts> | undefined;
}

export interface TransportRequest {
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  body?: Uint8Array | Readable | undefined;
  followRedirects: boolean;
}

export interface TransportResponse {
  /** The method that got this answer (after a redirect that turned it into GET). */
  method: HttpMethod;
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The URL that answered, after redirects. */
  url: string;
  body: Readable;
}

export class Transport {
  readonly #options: TransportOptions;
  readonly #registryAgent: Agent;
  readonly #otherAgent: Agent;
  readonly #timeouts: TransportTimeouts;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#timeouts = { ...DEFAULT_TRANSPORT_TIMEOUTS, ...options.timeouts };
    const ca = options.ca === undefined ? undefined : [...rootCertificates, options.ca];
    this.#registryAgent = makeAgent({ ca, rejectUnauthorized: !options.insecure });
    this.#otherAgent = makeAgent({ ca, rejectUnauthorized: true });
  }

  /** Sends a request, following redirects unless told not to. */
  async send(request: TransportRequest): Promise<TransportResponse> {
    let { method, url, body } = request;
    const headers: Record<string, string> = {
      'user-agent': this.#options.userAgent,
      ...lower(request.headers),
    };
    for (let hop = 0; ; hop++) {
      const response = await this.#sendOnce(method, url, headers, body);
      const location = response.headers.location;
      if (!request.followRedirects || !REDIRECT_STATUSES.has(response.status))
        return response;
      if (location === undefined) return response;
      await discard(response.body);
      if (hop >= MAX_REDIRECTS)
        throw this.#redirectError(request, 'more than 10 redirects');
      const next = new URL(location, url);
      // RFC 9110 section 15.4: 303 turns into GET; 301 and 302 do so for POST.
      const toGet =
        (response.status === 303 && method !== 'HEAD') ||
        ((response.status === 301 || response.status === 302) && method === 'POST');
      if (toGet) {
        method = 'GET';
        body = undefined;
        delete headers['content-type'];
        delete headers['content-length'];
      } else if (body !== undefined && !(body instanceof Uint8Array)) {
        throw this.#redirectError(request, 'a streamed body cannot be sent again');
      }
      // Credentials belong to the registry: never hand them to another origin.
      if (next.origin !== url.origin) delete headers.authorization;
      url = next;
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#registryAgent.close(), this.#otherAgent.close()]);
  }

  async #sendOnce(
    method: HttpMethod,
    url: URL,
    headers: Record<string, string>,
    body: Uint8Array | Readable | undefined,
  ): Promise<TransportResponse> {
    const { logger, redact } = this.#options;
    // Each trace line costs a URL and header redaction: built only when wanted.
    const tracing = debugEnabled(logger);
    const started = tracing ? performance.now() : 0;
    if (tracing) {
      const target = redactUrl(url.toString());
      logger.debug(redact(`http > ${method} ${target} ${formatHeaders(headers)}`));
    }
    const { headersMs, uploadHeadersMs } = this.#timeouts;
    const origin = url.origin;
    const own = origin === this.#options.origin;
    let answer: Dispatcher.ResponseData;
    try {
      answer = await requestOn.call(own ? this.#registryAgent : this.#otherAgent, {
        origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers,
        body: body ?? null,
        headersTimeout: isSlowRequest(method, url, body) ? uploadHeadersMs : headersMs,
        // undici closes the connection after every HEAD, in case a server sends
        // a body anyway; a registry answers HEAD with headers only (RFC 9110
        // section 9.3.2), so its connection stays for the next request.
        ...(own && method === 'HEAD' ? { reset: false } : {}),
      });
    } catch (error) {
      const target = redactUrl(url.toString());
      if (tracing)
        logger.debug(redact(`http x ${method} ${target} ${describeCause(error)}`));
      const failure = networkError(error, method, target, this.#options.registry);
      failure.message = redact(failure.message);
      throw failure;
    }
    const responseHeaders = flatten(answer.headers);
    if (tracing) {
      const ms = Math.round(performance.now() - started);
      const target = redactUrl(url.toString());
      const line = `http < ${answer.statusCode} ${method} ${target} (${ms} ms) `;
      logger.debug(redact(line + formatHeaders(responseHeaders)));
    }
    return {
      method,
      status: answer.statusCode,
      headers: responseHeaders,
      url: url.toString(),
      body: answer.body,
    };
  }

  #redirectError(request: TransportRequest, why: string): GantryError {
    const target = redactUrl(request.url.toString());
    return new GantryError(
      ErrorCode.Redirect,
      `${request.method} ${target} was redirected and not followed: ${why}`,
      {
        hint: 'the registry, or a proxy in front of it, redirects in a loop',
      },
    );
  }
}

/** Reads and drops a body so its connection can serve the next request. */
export async function discard(body: Readable): Promise<void> {
  if (body.readableEnded || body.destroyed) return;
  await new Promise<void>((resolve) => {
    body
      .once('end', resolve)
      .once('close', resolve)
      .once('error', () => resolve());
    body.resume();
  });
}

function makeAgent(connect: { ca: string[] | undefined; rejectUnauthorized: boolean }) {
  return new Agent({
    connect:
      connect.ca === undefined
        ? { rejectUnauthorized: connect.rejectUnauthorized }
        : connect,
    connectTimeout: CONNECT_TIMEOUT_MS,
    headersTimeout: UPLOAD_HEADERS_TIMEOUT_MS,
    bodyTimeout: BODY_IDLE_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
  });
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]),
  );
}

function flatten(headers: Record<string, string | string[] | undefined>) {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function formatHeaders(headers: Record<string, string>): string {
  return JSON.stringify(redactHeaders(headers));
}
