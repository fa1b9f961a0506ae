import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { access, ref, seedingClient } from '../cli/support.js';
import { type GantryRun, runGantry } from '../harness/cli.js';
import { type SeededImage, seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { userMap } from '../harness/users.js';
import {
  type FaultableTokenRegistry,
  type FaultRecord,
  startFaultableTokenRegistry,
  type TokenFault,
} from './token-endpoint-support.js';

/**
 * Faults between gantry and the token server of a real token-auth registry
 * (Docker token spec, distribution docs/spec/auth/token.md: the registry's
 * 401 names a `Bearer realm`, the client GETs a token there), through the
 * CLI as alice. Each scenario aims its fault at its own repository, so they
 * run side by side. A failure must carry a stable code, exit by its group
 * (cli/exit.ts) and say the token server failed, not the registry; the
 * secret scan checks every output for alice's password and every token.
 */

let registry: FaultableTokenRegistry;
let shortLived: FaultableTokenRegistry;
let plain: TestRegistry;
let seeded: SeededImage;
let count = 0;

/** A `TestRegistry` view of a private registry, for the shared helpers. */
function described(r: FaultableTokenRegistry): TestRegistry {
  return { kind: 'token', host: r.host, url: `http://${r.host}`, users: userMap() };
}

function gantry(r: FaultableTokenRegistry, ...args: string[]): Promise<GantryRun> {
  const { flags, input } = access(described(r));
  return runGantry([...flags, ...args], input === undefined ? {} : { input });
}

/** A repository seeded with a two-platform index, then the fault aimed at it. */
async function faulted(
  fault: TokenFault,
  r: FaultableTokenRegistry = registry,
): Promise<{ repository: string; name: string; record: () => FaultRecord }> {
  const name = `token-faults/${fault}-${++count}`;
  const repository = `${r.host}/${name}`;
  await seedImage(seedingClient(described(r)), ref(`${repository}:1.0`));
  r.aim(name, fault);
  return { repository, name, record: () => r.records.get(name)! };
}

/** The realm in the messages: gantry must say the token server failed. */
function tokenServerOf(r: FaultableTokenRegistry): RegExp {
  return new RegExp(`the token server http://127\\.0\\.0\\.1:\\d+/token of ${r.host}`);
}

function assertFailed(run: GantryRun, code: number, errorCode: string): void {
  assert.equal(run.code, code, run.stderr);
  assert.match(run.stderr, new RegExp(`gantry: error ${errorCode}: `));
  assert.match(run.stderr, tokenServerOf(registry));
  assert.match(run.stderr, /^hint: .+/m);
}

before(async () => {
  [registry, shortLived, plain] = await Promise.all([
    startFaultableTokenRegistry(),
    // Docker token spec, `expires_in`: the seconds a token may be used. One
    // second is below gantry's refresh margin, so no token is used twice.
    startFaultableTokenRegistry({ expiresIn: 1 }),
    getRegistries().then((all) => all.plain),
  ]);
  seeded = await seedImage(seedingClient(plain), ref(`${plain.host}/token-faults/src:1`));
});

after(async () => {
  await Promise.all([registry?.stop(), shortLived?.stop()]);
});

describe('token endpoint faults', { concurrency: true }, () => {
  it('two 500s from the token server are retried and tags succeeds', async () => {
    const { repository, record } = await faulted('status-500-twice');

    const run = await gantry(registry, 'tags', repository);

    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '1.0\n');
    assert.equal(record().faultsInjected, 2);
  });

  it('a 503 with Retry-After: 1 is waited out before the next try', async () => {
    const { repository, record } = await faulted('status-503-retry-after');

    const run = await gantry(registry, 'inspect', `${repository}:1.0`);

    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Platforms: +2$/m);
    assert.equal(record().faultsInjected, 1);
    // RFC 9110 section 10.2.3: seconds to wait. Backoff alone would retry
    // within 200 ms, so the gap shows the header was honoured.
    assert.ok((record().firstGapMs ?? 0) >= 1000, `gap ${record().firstGapMs} ms`);
  });

  it('a token server that never answers times out with exit 5', async () => {
    const { repository, record } = await faulted('hang');

    const run = await gantry(registry, 'tags', repository);

    assertFailed(run, 5, 'GANTRY_E_TIMEOUT');
    assert.match(run.stderr, /timed out \(UND_ERR_HEADERS_TIMEOUT\)/);
    assert.ok(record().faultsInjected >= 1);
  });

  it('a 200 that is not JSON fails with GANTRY_E_TOKEN, exit 4', async () => {
    const { repository } = await faulted('not-json');

    const run = await gantry(registry, 'inspect', `${repository}:1.0`);

    assertFailed(run, 4, 'GANTRY_E_TOKEN');
    assert.match(run.stderr, /answered without a token/);
  });

  it('JSON without token or access_token fails the copy on its destination', async () => {
    const { repository } = await faulted('no-token');

    const run = await gantry(
      registry,
      'copy',
      `${plain.host}/token-faults/src:1`,
      `${repository}:2.0`,
    );

    assertFailed(run, 4, 'GANTRY_E_TOKEN');
    assert.match(run.stderr, /error GANTRY_E_TOKEN: destination: /);
    assert.match(run.stderr, /"token" or "access_token"/);
  });

  it('an answer cut off every time fails with GANTRY_E_NETWORK, exit 5', async () => {
    const { repository, record } = await faulted('cut-body');

    const run = await gantry(registry, 'tags', repository);

    assertFailed(run, 5, 'GANTRY_E_NETWORK');
    assert.match(run.stderr, /its answer broke off/);
    assert.ok(record().faultsInjected >= 2, 'asked again after the first cut');
  });

  it('an answer cut off once is asked for again and the copy completes', async () => {
    const { repository, record } = await faulted('cut-body-once');

    const run = await gantry(
      registry,
      'copy',
      `${plain.host}/token-faults/src:1`,
      `${repository}:2.0`,
    );
    const digest = await gantry(registry, 'digest', `${repository}:2.0`);

    assert.equal(run.code, 0, run.stderr);
    assert.equal(record().faultsInjected, 1);
    assert.equal(digest.stdout, `${seeded.digest}\n`);
  });

  it('a redirect to another origin is followed without the credentials', async () => {
    const { repository, record } = await faulted('redirect-other-origin');

    const run = await gantry(registry, 'tags', repository);

    // Credentials belong to the realm's origin (transport.ts): the other
    // origin is asked anonymously, and anonymous pull is enough for tags.
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '1.0\n');
    assert.ok(record().redirected.length >= 1, 'the redirect was followed');
    assert.deepEqual(
      record().redirected.filter((r) => r.authorization),
      [],
      'no credentials sent to the other origin',
    );
  });

  it('tokens expiring within the copy are renewed and the copy completes', async (t) => {
    const short = await faulted('none', shortLived);
    const usual = await faulted('none', registry);
    const source = `${plain.host}/token-faults/src:1`;

    const runs = [
      await gantry(shortLived, 'copy', source, `${short.repository}:2.0`),
      await gantry(registry, 'copy', source, `${usual.repository}:2.0`),
    ];
    const digest = await gantry(shortLived, 'digest', `${short.repository}:2.0`);

    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    assert.equal(digest.stdout, `${seeded.digest}\n`);
    const renewed = short.record().requests;
    const reused = usual.record().requests;
    t.diagnostic(`token requests: ${renewed} with 1 s tokens, ${reused} with 300 s`);
    assert.ok(renewed > reused, `${renewed} token requests, ${reused} with long tokens`);
  });
});
