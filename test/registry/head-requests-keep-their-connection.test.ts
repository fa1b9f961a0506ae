import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import { Digest } from '../../src/oci/digest.js';
import { parseReference } from '../../src/reference/index.js';
import { headBlob } from '../../src/registry/blobs.js';
import { headManifest } from '../../src/registry/manifests.js';
import type { Scope } from '../../src/registry/types.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { closeAll, tracedSession } from './session-helpers.js';

/**
 * Keep-alive with a real registry: sequential requests, HEAD and 404s among
 * them, share one connection instead of opening one each (undici closes the
 * connection after a HEAD unless told the server sends no body). Counted
 * with undici's `undici:client:connected` diagnostics channel.
 */

/** Fifty sequential requests: enough that a connection per request shows. */
const ROUNDS = 10;
/**
 * undici waits one event-loop turn before handing a finished connection to
 * the next request; a request sent within that turn opens a second one.
 */
const MOST_CONNECTIONS = 2;

let plain: TestRegistry;
before(async () => {
  plain = (await getRegistries()).plain;
});
after(closeAll);

describe('a session sending requests one after another', () => {
  it('reuses its connection for HEAD, 404 and GET answers', async () => {
    const { session } = tracedSession('keep-alive', plain.host);
    const repo = parseReference(`${plain.host}/keep-alive/app:missing`);
    const digest = Digest.parse(`sha256:${'0'.repeat(64)}`);
    const send = (method: 'GET' | 'HEAD', url: string, scopes: Scope[]) =>
      session.request({ method, url, scopes, expect: [200, 404] });
    let connections = 0;
    const counted = (): void => {
      connections++;
    };
    subscribe('undici:client:connected', counted);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        assert.equal(await headBlob(session, repo, digest), undefined);
        assert.equal(await headManifest(session, repo), undefined);
        await (await send('GET', '/v2/', [])).dump();
        const missing = await send('GET', `/v2/${repo.repository}/blobs/${digest}`, [
          repo.scope(['pull']),
        ]);
        assert.equal(missing.status, 404);
        await missing.text();
        await (await send('HEAD', '/v2/', [])).dump();
      }
    } finally {
      unsubscribe('undici:client:connected', counted);
    }
    assert.ok(connections >= 1, 'the channel saw no connection at all');
    assert.ok(
      connections <= MOST_CONNECTIONS,
      `${ROUNDS * 5} requests opened ${connections} connections`,
    );
  });
});
