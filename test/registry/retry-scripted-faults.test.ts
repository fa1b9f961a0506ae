import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { RegistryError } from '../../src/registry/registry-error.js';
import { type Scripted, type Step, startScripted } from '../harness/scripted.js';
import { closeAll, expectError, tracedSession } from './session-helpers.js';

/** Waits short enough to keep the tests quick; the values are asserted, not timed. */
const FAST = { attempts: 4, baseDelayMs: 1, maxDelayMs: 20 };

const servers: { close(): Promise<void> }[] = [];
after(async () => {
  await closeAll();
  await Promise.all(servers.map((s) => s.close()));
});

async function scripted(steps: Step[]): Promise<Scripted> {
  const server = await startScripted(steps);
  servers.push(server);
  return server;
}

const ok: Step['reply'] = () => ({ status: 200, body: 'done' });
const status =
  (code: number, headers: Record<string, string> = {}): Step['reply'] =>
  () => ({ status: code, headers });
const get = { method: 'GET' as const, url: '/v2/a/tags/list', scopes: [], expect: [200] };

describe('retries', () => {
  it('wait as Retry-After says on 429, capped by the policy', async () => {
    const registry = await scripted([
      {
        method: 'GET',
        path: '/v2/a/tags/list',
        reply: status(429, { 'retry-after': '1' }),
      },
      { method: 'GET', path: '/v2/a/tags/list', reply: ok },
    ]);
    const { session, logger } = tracedSession('retry 429', registry.host, {
      retry: FAST,
    });
    const response = await session.request(get);
    assert.equal(await response.text(), 'done');
    registry.assertDone();
    const retries = logger.messages('debug').filter((l) => l.startsWith('retry '));
    assert.equal(retries.length, 1);
    assert.match(retries[0]!, /in 20 ms: status 429/);
  });

  it('try again after 503, 502 and 504', async () => {
    const registry = await scripted([
      { method: 'GET', path: '/v2/a/tags/list', reply: status(503) },
      { method: 'GET', path: '/v2/a/tags/list', reply: status(502) },
      { method: 'GET', path: '/v2/a/tags/list', reply: status(504) },
      { method: 'GET', path: '/v2/a/tags/list', reply: ok },
    ]);
    const { session } = tracedSession('retry 503', registry.host, { retry: FAST });
    assert.equal((await session.request(get)).status, 200);
    registry.assertDone();
  });

  it('give up after the last attempt with the registry error', async () => {
    const steps = Array.from({ length: 4 }, () => ({
      method: 'GET',
      path: '/v2/a/tags/list',
      reply: () => ({
        status: 500,
        body: '{"errors":[{"code":"UNKNOWN","message":"boom"}]}',
      }),
    }));
    const registry = await scripted(steps);
    const { session } = tracedSession('retry exhausted', registry.host, { retry: FAST });
    const error = await expectError('retry exhausted', () => session.request(get));
    assert.ok(error instanceof RegistryError);
    assert.equal(error.status, 500);
    assert.equal(error.code, ErrorCode.Registry);
    registry.assertDone();
  });

  it('send a byte body again, unchanged', async () => {
    const registry = await scripted([
      { method: 'PUT', path: '/v2/a/manifests/1', reply: status(503) },
      { method: 'PUT', path: '/v2/a/manifests/1', reply: status(201) },
    ]);
    const { session } = tracedSession('retry bytes', registry.host, { retry: FAST });
    const body = new TextEncoder().encode('{"schemaVersion":2}');
    const response = await session.request({
      method: 'PUT',
      url: '/v2/a/manifests/1',
      body,
      scopes: [],
      expect: [201],
    });
    await response.dump();
    registry.assertDone();
    assert.deepEqual(new Uint8Array(registry.requests[1]!.body), body);
  });

  it('never send a streamed body twice', async () => {
    const registry = await scripted([
      { method: 'GET', path: '/v2/', reply: status(200) },
      { method: 'PATCH', path: '/v2/a/blobs/uploads/u', reply: status(503) },
    ]);
    const { session } = tracedSession('no retry stream', registry.host, { retry: FAST });
    const error = await expectError('no retry stream', () =>
      session.request({
        method: 'PATCH',
        url: '/v2/a/blobs/uploads/u',
        body: Readable.from([Buffer.from('chunk')]),
        scopes: [],
        expect: [202],
      }),
    );
    assert.equal((error as RegistryError).status, 503);
    registry.assertDone();
  });

  it('try again after a connection reset', async () => {
    const server = await resettingServer(['reset', 'reset', 'ok']);
    const { session } = tracedSession('retry reset', server.host, { retry: FAST });
    const response = await session.request(get);
    assert.equal(await response.text(), 'fine');
    assert.equal(server.seen(), 3);
  });

  it('report a reset that does not pass as a network error', async () => {
    const server = await resettingServer(['reset', 'reset']);
    const { session } = tracedSession('reset exhausted', server.host, {
      retry: { ...FAST, attempts: 2 },
    });
    const error = await expectError('reset exhausted', () => session.request(get));
    assert.equal(error.code, ErrorCode.Network);
    assert.equal(server.seen(), 2);
  });
});

/**
 * A strict server for what the scripted one cannot do: drop the connection
 * before any response. Each request takes the next action; a request beyond
 * the script fails the test.
 */
async function resettingServer(script: ('reset' | 'ok')[]) {
  let seen = 0;
  const unexpected: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const action = script[seen++];
    if (action === undefined) unexpected.push(`${req.method} ${req.url}`);
    if (action === 'ok') res.writeHead(200, { 'content-length': '4' }).end('fine');
    else req.socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return {
    host: `127.0.0.1:${port}`,
    seen: () => {
      assert.deepEqual(unexpected, []);
      return seen;
    },
  };
}
