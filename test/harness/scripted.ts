import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { parseErrorBody, RegistryError } from '../../src/registry/registry-error.js';
import type {
  RegistryRequest,
  RegistryResponse,
  RegistrySession,
} from '../../src/registry/types.js';

/**
 * A strict scripted HTTP server for faults a real registry cannot be made to
 * show (pagination, the referrers API, redirects between hosts, dropped
 * connections). Steps are taken in order; a request that does not match the
 * next step is answered 500 and recorded as a failure, and `assertDone()`
 * throws on any failure and on any step left unconsumed.
 */

export interface ScriptedRequest {
  method: string;
  /** Path and query exactly as sent. */
  url: string;
  /** Lower-cased header names, as node gives them. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /**
   * Send the headers and this many bytes of the body, then destroy the
   * connection: a connection that drops mid-body.
   */
  dropAfter?: number;
}

export interface Step {
  method: string;
  /** The exact path and query, or a pattern tested against them. */
  path: string | RegExp;
  reply: (req: ScriptedRequest, body: Buffer) => ScriptedReply | Promise<ScriptedReply>;
}

export interface Scripted {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** `127.0.0.1:PORT`. */
  host: string;
  requests: ScriptedRequest[];
  failures: string[];
  assertDone(): void;
  close(): Promise<void>;
}

export async function startScripted(steps: Step[]): Promise<Scripted> {
  const queue = [...steps];
  const requests: ScriptedRequest[] = [];
  const failures: string[] = [];

  const server = createServer((req, res) => {
    void readBody(req).then(async (body) => {
      const request: ScriptedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: { ...req.headers },
        body,
      };
      requests.push(request);
      const step = queue[0];
      if (step === undefined || !matches(step, request)) {
        const expected = step === undefined ? 'no more requests' : describe(step);
        failures.push(
          `unexpected ${request.method} ${request.url}; expected ${expected}`,
        );
        res.writeHead(500, { 'content-type': 'text/plain' }).end('unscripted request');
        return;
      }
      queue.shift();
      try {
        send(res, await step.reply(request, body));
      } catch (error) {
        failures.push(`step ${describe(step)} threw: ${String(error)}`);
        res.writeHead(500).end();
      }
    });
  });

  const address = await listen(server);
  const host = `127.0.0.1:${address.port}`;
  return {
    url: `http://${host}`,
    host,
    requests,
    failures,
    assertDone() {
      const left = queue.map((step) => `unconsumed step ${describe(step)}`);
      const all = [...failures, ...left];
      if (all.length > 0) throw new Error(`scripted server:\n  ${all.join('\n  ')}`);
    },
    close: () => close(server),
  };
}

function matches(step: Step, request: ScriptedRequest): boolean {
  if (step.method !== request.method) return false;
  return typeof step.path === 'string'
    ? step.path === request.url
    : step.path.test(request.url);
}

function describe(step: Step): string {
  return `${step.method} ${String(step.path)}`;
}

function send(res: import('node:http').ServerResponse, reply: ScriptedReply): void {
  const body =
    typeof reply.body === 'string'
      ? Buffer.from(reply.body)
      : Buffer.from(reply.body ?? []);
  const headers = { ...reply.headers };
  const hasLength = Object.keys(headers).some(
    (n) => n.toLowerCase() === 'content-length',
  );
  const chunked = Object.entries(headers).some(
    ([n, v]) => n.toLowerCase() === 'transfer-encoding' && v === 'chunked',
  );
  if (!hasLength && !chunked) headers['content-length'] = String(body.length);
  res.writeHead(reply.status, headers);

  if (reply.dropAfter === undefined) {
    res.end(body);
    return;
  }
  res.write(body.subarray(0, reply.dropAfter), () => {
    res.socket?.destroy();
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function listen(server: Server): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address() as AddressInfo));
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * A minimal RegistrySession over plain `fetch`, with no auth, no retries and
 * no ping, so a scripted server sees exactly the requests a resource module
 * makes. Unexpected statuses become RegistryErrors as in the real session.
 */
export function fetchSession(baseUrl: string): RegistrySession {
  return {
    registry: new URL(baseUrl).host,
    baseUrl,
    async request(request: RegistryRequest): Promise<RegistryResponse> {
      const url = new URL(request.url, baseUrl).toString();
      const body =
        request.body instanceof Readable
          ? (Readable.toWeb(request.body) as ReadableStream<Uint8Array>)
          : request.body;
      const headers = { ...request.headers };
      delete headers['content-length'];
      const init = {
        method: request.method,
        headers,
        body,
        duplex: 'half',
        redirect: request.followRedirects === false ? 'manual' : 'follow',
      } as RequestInit;
      const response = await fetch(url, init);
      const answer = toResponse(response);
      if (request.expect.includes(response.status)) return answer;

      const text = await answer.text();
      throw new RegistryError({
        status: response.status,
        method: request.method,
        url: response.url,
        errors: parseErrorBody(text),
        operation: request.operation,
      });
    },
  };
}

function toResponse(response: Response): RegistryResponse {
  const body =
    response.body === null
      ? Readable.from([])
      : Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const bytes = async (limit?: number): Promise<Uint8Array> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (limit !== undefined && size > limit)
        throw new Error(`body over ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  };
  const text = async (limit?: number) => Buffer.from(await bytes(limit)).toString('utf8');
  return {
    status: response.status,
    headers,
    url: response.url,
    body,
    bytes,
    text,
    json: async <T>(limit?: number) => JSON.parse(await text(limit)) as T,
    dump: async () => {
      body.resume();
      await new Promise<void>((resolve) => {
        if (body.readableEnded || body.destroyed) resolve();
        body
          .once('end', resolve)
          .once('close', resolve)
          .once('error', () => resolve());
      });
    },
  };
}
