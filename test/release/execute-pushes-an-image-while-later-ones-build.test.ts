import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client.js';
import { executeRelease, type ReleaseEvent } from '../../src/release/execute.js';
import { parseReleaseFile } from '../../src/release/file.js';
import { planRelease } from '../../src/release/plan.js';
import { parseVersion } from '../../src/release/version.js';
import { ref, seedingClient, uniqueRepository } from '../cli/support.js';
import { seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { toolRelease, writeToolDist } from './support.js';

/**
 * A release whose second variant's base sits behind a gate that opens only
 * when the first variant's content is in the destination: the release
 * finishes, so an image is pushed while a later one still builds. Tags
 * still come after all content, and a layer that two images share (the
 * variant's files are the base image's) is sent to the destination once.
 * The destination is reached through a proxy that logs every request.
 */

/** A guard against a hang should images wait for each other again; not a timing. */
const HANG_GUARD_MS = 120_000;

interface Proxy {
  host: string;
  server: Server;
  /** `METHOD path?query` of each request, in arrival order. */
  log: string[];
}

/**
 * Forwards to `upstream` once `gate` resolves, logging each request. The
 * Host header stays the proxy's, so upload locations point back at it.
 */
async function startProxy(upstream: string, gate: Promise<void>): Promise<Proxy> {
  const [hostname, port] = upstream.split(':') as [string, string];
  const log: string[] = [];
  const server = createServer((incoming, answer) => {
    log.push(`${incoming.method} ${incoming.url}`);
    void gate.then(() => {
      const options = { hostname, port, path: incoming.url, method: incoming.method };
      const forward = request(
        { ...options, headers: incoming.headers },
        (upstreamAnswer) => {
          answer.writeHead(upstreamAnswer.statusCode ?? 502, upstreamAnswer.headers);
          upstreamAnswer.pipe(answer);
        },
      );
      forward.on('error', () => answer.destroy());
      incoming.pipe(forward);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, server, log };
}

let registry: TestRegistry;
let work = '';
const proxies: Proxy[] = [];
const client = new RegistryClient();

before(async () => {
  registry = (await getRegistries()).plain;
  work = makeTempDir('gantry-release-overlap-');
  await writeToolDist(work);
});

after(async () => {
  await client.close();
  for (const proxy of proxies) proxy.server.closeAllConnections();
  await Promise.all(
    proxies.map((proxy) => new Promise((done) => proxy.server.close(done))),
  );
  if (work !== '') removeTempDir(work);
});

test('an image is pushed while a later one builds', {
  timeout: HANG_GUARD_MS,
}, async () => {
  const first = uniqueRepository(registry, 'overlap-first');
  const gated = uniqueRepository(registry, 'overlap-gated');
  const seeding = seedingClient(registry);
  await seedImage(seeding, ref(`${first}:1`));
  await seedImage(seeding, ref(`${gated}:1`));
  await seeding.close();

  let open = () => {};
  const gate = new Promise<void>((done) => {
    open = done;
  });
  const base = await startProxy(registry.host, gate);
  const out = await startProxy(registry.host, Promise.resolve());
  proxies.push(base, out);
  const destination = `${out.host}/overlap/out`;
  const text = toolRelease(destination, [
    [`${first}:1`, 'first'],
    [`${base.host}${gated.slice(gated.indexOf('/'))}:1`, 'gated'],
  ]);
  const plan = planRelease(parseReleaseFile(text), {
    version: parseVersion('1.0.0', 'semver'),
  });
  const firstImage = plan.images[0]!.name;
  const gatedImage = plan.images[1]!.name;

  const events: ReleaseEvent[] = [];
  const outcome = await executeRelease(plan, {
    client,
    baseDir: work,
    cacheDir: false,
    onEvent: (event) => {
      events.push(event);
      if (event.type === 'pushed' && event.image === firstImage) open();
    },
  });

  const at = (found: (event: ReleaseEvent) => boolean) => events.findIndex(found);
  const pushedFirst = at((e) => e.type === 'pushed' && e.image === firstImage);
  const builtGated = at((e) => e.type === 'built' && e.image === gatedImage);
  assert.ok(pushedFirst >= 0 && pushedFirst < builtGated, 'pushed while building');
  const types = events.map((event) => event.type);
  assert.ok(types.lastIndexOf('pushed') < types.indexOf('tagged'), types.join(','));
  assert.equal(outcome.destinations[0]!.tags.length, plan.destinations[0]!.writes.length);

  // Each blob is sent once: one mount or one closing upload PUT per digest.
  const sent = out.log.flatMap((line) => {
    const found = /[?&](?:mount|digest)=(sha256(?::|%3A)[0-9a-f]{64})/i.exec(line);
    return found === null ? [] : [found[1]!.replace(/%3A/i, ':')];
  });
  assert.ok(sent.length > 0, out.log.join('\n'));
  assert.deepEqual(
    sent.filter((digest, index) => sent.indexOf(digest) !== index),
    [],
  );
  // The variant's files layer is the base image's: one image counts it skipped.
  const skipped = outcome.destinations[0]!.pushed.map((image) => image.stats.skipped);
  assert.ok(
    skipped.some((count) => count > 0),
    JSON.stringify(skipped),
  );
});
