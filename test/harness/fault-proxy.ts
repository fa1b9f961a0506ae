import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { after } from 'node:test';

/**
 * An HTTP proxy between gantry and a real registry that injects one kind of
 * fault into chosen requests, as flaky networks and overloaded registries
 * do, and records what it did. A second local server stands for "another
 * origin" (a CDN a blob download is redirected to) and records the headers
 * it receives, so a test can prove `Authorization` never arrives there.
 *
 * Requests reach the registry with the proxy's own host as `Host`, so the
 * absolute `Location`s distribution answers point back at the proxy and
 * uploads keep going through it.
 */

/** Which requests a rule aims at. */
export type RequestKind =
  /** An upload request without blob bytes: the opening `POST`, a bare `PUT`. */
  | 'blob-upload'
  /** An upload request carrying blob bytes: a `PATCH`, or a `PUT` with a body. */
  | 'blob-upload-data'
  | 'blob-download'
  | 'manifest-put'
  | 'manifest-get'
  | 'token'
  | 'other';

export type Fault =
  /** Drop the connection after reading part of the request body. */
  | 'reset-request'
  /** Send the headers and half of the response body, then drop. */
  | 'reset-response'
  | 'status-500'
  | 'status-502'
  | 'status-503'
  /** 429 with `Retry-After: 0`: retry at once, as the registry allows. */
  | 'throttle'
  /** Never answer; the connection is dropped when the proxy closes. */
  | 'stall'
  /** Half the body with a `Content-Length` that matches the half. */
  | 'truncate'
  /** The full body with one byte changed: wrong content for its digest. */
  | 'corrupt'
  /** 307 to the other origin, which serves the same bytes. */
  | 'redirect';

export const FAULTS: readonly Fault[] = [
  'reset-request',
  'reset-response',
  'status-500',
  'status-502',
  'status-503',
  'throttle',
  'stall',
  'truncate',
  'corrupt',
  'redirect',
];

/** Faults on an answer's body: a HEAD answer has none, so they skip it. */
const BODY_FAULTS: ReadonlySet<Fault> = new Set([
  'reset-response',
  'truncate',
  'corrupt',
  'redirect',
]);

export interface FaultRule {
  kind: RequestKind;
  fault: Fault;
  /** Fault only the nth matching request (1-based). */
  nth?: number;
  /** Fault the first N matching requests (default 1, when nth is unset). */
  first?: number;
}

export interface FaultRecord {
  kind: RequestKind;
  method: string;
  path: string;
  fault: Fault | undefined;
  /** Whether the request carried an `Authorization` header. */
  authorized: boolean;
}

export interface FaultProxy {
  /** `127.0.0.1:PORT`, for references. */
  host: string;
  /** Replaces the rules; counts start again from zero. */
  inject(...rules: FaultRule[]): void;
  /** Every request seen, with the fault applied to it if any. */
  readonly log: readonly FaultRecord[];
  /** How many faults were injected since the proxy started. */
  readonly injected: number;
  /** Headers of every request the other origin received. */
  readonly otherOriginHeaders: readonly IncomingHttpHeaders[];
}

/** Whether a request's headers announce a body. */
function hasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  return Number(headers['content-length'] ?? 0) > 0;
}

/** Classifies a request by the distribution API route it uses. */
export function requestKind(
  method: string,
  path: string,
  headers: IncomingHttpHeaders = {},
): RequestKind {
  if (path.includes('/blobs/uploads/')) {
    const data = (method === 'PATCH' || method === 'PUT') && hasBody(headers);
    return data ? 'blob-upload-data' : 'blob-upload';
  }
  if (/\/blobs\/sha256:/.test(path) && method === 'GET') return 'blob-download';
  if (path.includes('/manifests/')) {
    return method === 'PUT' ? 'manifest-put' : 'manifest-get';
  }
  if (path.includes('token')) return 'token';
  return 'other';
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

function closeWhenDone(server: Server): void {
  after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
}

/** Reads a whole message body: the bodies in these tests are a few MiB. */
async function readAll(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFaultProxy(upstreamHost: string): Promise<FaultProxy> {
  const [upstreamName, upstreamPort] = upstreamHost.split(':') as [string, string];
  const log: FaultRecord[] = [];
  const otherOriginHeaders: IncomingHttpHeaders[] = [];
  const parked = new Map<string, { headers: IncomingHttpHeaders; body: Buffer }>();
  let rules: { rule: FaultRule; seen: number }[] = [];
  let injected = 0;

  const other = createServer((req, res) => {
    otherOriginHeaders.push({ ...req.headers });
    const found = parked.get(req.url ?? '');
    if (found === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': `${found.body.length}` }).end(found.body);
  });
  const otherOrigin = `http://127.0.0.1:${await listen(other)}`;
  closeWhenDone(other);

  let proxyHost = '';
  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>(
      (resolve, reject) => {
        const upstream = httpRequest(
          {
            host: upstreamName,
            port: Number(upstreamPort),
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: proxyHost },
          },
          (answer) => {
            readAll(answer).then(
              (bytes) =>
                resolve({
                  status: answer.statusCode ?? 502,
                  headers: answer.headers,
                  body: bytes,
                }),
              reject,
            );
          },
        );
        upstream.once('error', reject);
        upstream.end(body);
      },
    );

  const pickFault = (kind: RequestKind, method: string): Fault | undefined => {
    for (const entry of rules) {
      if (entry.rule.kind !== kind) continue;
      if (method === 'HEAD' && BODY_FAULTS.has(entry.rule.fault)) continue;
      entry.seen++;
      const { nth, first = 1 } = entry.rule;
      const hit = nth === undefined ? entry.seen <= first : entry.seen === nth;
      if (hit) return entry.rule.fault;
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const kind = requestKind(method, path, req.headers);
    const fault = pickFault(kind, method);
    log.push({
      kind,
      method,
      path,
      fault,
      authorized: req.headers.authorization !== undefined,
    });
    if (fault !== undefined) injected++;

    if (fault === 'reset-request') {
      req.once('data', () => req.socket.destroy());
      req.once('end', () => req.socket.destroy());
      return;
    }
    if (fault === 'stall') return;
    const body = await readAll(req);
    const status = fault?.startsWith('status-') ? Number(fault.slice(7)) : undefined;
    if (status !== undefined || fault === 'throttle') {
      const headers = fault === 'throttle' ? { 'retry-after': '0' } : {};
      res.writeHead(status ?? 429, { ...headers, 'content-length': '0' }).end();
      return;
    }

    const answer = await forward(req, body);
    if (fault === 'redirect' && answer.status === 200 && method === 'GET') {
      const key = `/cdn/${randomUUID()}`;
      parked.set(key, answer);
      res.writeHead(307, { location: `${otherOrigin}${key}`, 'content-length': '0' });
      return void res.end();
    }
    sendAnswer(res, answer, fault);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  proxyHost = `127.0.0.1:${await listen(server)}`;
  closeWhenDone(server);

  return {
    host: proxyHost,
    inject(...next: FaultRule[]) {
      rules = next.map((rule) => ({ rule, seen: 0 }));
    },
    get log() {
      return log;
    },
    get injected() {
      return injected;
    },
    get otherOriginHeaders() {
      return otherOriginHeaders;
    },
  };
}

/** Writes the registry's answer, damaged as `fault` says. */
function sendAnswer(
  res: ServerResponse,
  answer: { status: number; headers: IncomingHttpHeaders; body: Buffer },
  fault: Fault | undefined,
): void {
  const headers = { ...answer.headers };
  delete headers['transfer-encoding'];
  delete headers.connection;
  let body = answer.body;
  const damaged = body.length > 0 && fault !== undefined;

  if (damaged && fault === 'corrupt') {
    body = Buffer.from(body);
    body[body.length >> 1] = (body[body.length >> 1] ?? 0) ^ 0xff;
  }
  if (damaged && fault === 'truncate') body = body.subarray(0, body.length >> 1);
  if (res.req.method === 'HEAD') return void res.writeHead(answer.status, headers).end();
  if (!(damaged && fault === 'reset-response')) {
    headers['content-length'] = `${body.length}`;
    res.writeHead(answer.status, headers).end(body);
    return;
  }
  headers['content-length'] = `${body.length}`;
  res.writeHead(answer.status, headers);
  res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
}
