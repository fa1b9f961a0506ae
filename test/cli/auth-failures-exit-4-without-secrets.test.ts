import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type GantryRun, runGantry } from '../harness/cli.js';
import { seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { TEST_USERS } from '../harness/users.js';
import { access, ref, seedingClient, uniqueRepository } from './support.js';

/**
 * A wrong password and a pull-only user pushing: exit code 4, a stable
 * error code, a hint, and no password or token anywhere in the output.
 */
const WRONG_PASSWORD = `wrong-${TEST_USERS.alice.slice(-12)}-pw`;
/** A JSON Web Token (header.claims.signature), as the token server issues. */
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/;

function assertNoSecrets(run: GantryRun, extra: string[] = []): void {
  const output = `${run.stdout}\n${run.stderr}`;
  for (const secret of [TEST_USERS.alice, TEST_USERS.bob, WRONG_PASSWORD, ...extra]) {
    assert.equal(output.includes(secret), false, 'a password reached the output');
    const basic = Buffer.from(`alice:${secret}`).toString('base64');
    assert.equal(output.includes(basic), false, 'a Basic credential reached the output');
  }
  assert.doesNotMatch(output, JWT);
}

for (const kind of ['basic', 'token'] as const) {
  describe(`a wrong password on the ${kind} registry`, () => {
    let registry: TestRegistry;
    let repository = '';

    before(async () => {
      registry = (await getRegistries())[kind];
      repository = uniqueRepository(registry, 'auth');
      await seedImage(seedingClient(registry), ref(`${repository}:1.0`), {
        platforms: ['linux/amd64'],
      });
    });

    for (const debug of [[], ['--debug']]) {
      it(`exits 4 with GANTRY_E_UNAUTHORIZED and a hint ${debug.join(' ')}`, async () => {
        const { flags, input } = access(registry, 'alice', WRONG_PASSWORD);
        const run = await runGantry(
          [...flags, ...debug, 'inspect', `${repository}:1.0`],
          {
            input: input ?? '',
          },
        );

        assert.equal(run.code, 4, run.stderr);
        assert.match(run.stderr, /^gantry: error GANTRY_E_UNAUTHORIZED: /m);
        assert.match(run.stderr, /^hint: \S/m);
        assertNoSecrets(run);
      });
    }
  });
}

describe('a pull-only user pushing a tag on the token registry', () => {
  let registry: TestRegistry;
  let repository = '';

  before(async () => {
    registry = (await getRegistries()).token;
    repository = uniqueRepository(registry, 'denied');
    await seedImage(seedingClient(registry), ref(`${repository}:1.0`), {
      platforms: ['linux/amd64'],
    });
  });

  for (const debug of [[], ['--debug']]) {
    it(`exits 4 with GANTRY_E_DENIED ${debug.join(' ')}`, async () => {
      const { flags, input } = access(registry, 'bob');
      const run = await runGantry(
        [...flags, ...debug, 'tag', `${repository}:1.0`, 'pushed-by-bob'],
        { input: input ?? '' },
      );

      assert.equal(run.code, 4, run.stderr);
      assert.match(run.stderr, /^gantry: error GANTRY_E_DENIED: /m);
      assert.match(run.stderr, /^hint: \S/m);
      assertNoSecrets(run);
    });
  }

  it('reports the failure as JSON with --json', async () => {
    const { flags, input } = access(registry, 'bob');
    const run = await runGantry([...flags, '--json', 'tag', `${repository}:1.0`, 'x'], {
      input: input ?? '',
    });
    const report = JSON.parse(run.stderr) as { error: { code: string; hint?: string } };

    assert.equal(run.code, 4);
    assert.equal(report.error.code, 'GANTRY_E_DENIED');
    assert.equal(typeof report.error.hint, 'string');
    assertNoSecrets(run);
  });
});
