import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { seedImage } from '../harness/images.js';
import { getRegistries } from '../harness/registries.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/** Not found exits 3, bad input exits 2, both with a stable code and no stack. */
describe('exit codes for missing things and malformed input', () => {
  let repository = '';

  before(async () => {
    const registry = (await getRegistries()).plain;
    repository = uniqueRepository(registry, 'codes');
    await seedImage(seedingClient(registry), ref(`${repository}:1.0`), {
      platforms: ['linux/amd64'],
    });
  });

  for (const command of ['inspect', 'digest', 'delete']) {
    it(`${command} of an unknown tag exits 3 with GANTRY_E_NOT_FOUND`, async () => {
      const run = await runGantry([command, `${repository}:no-such-tag`]);

      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /^gantry: error GANTRY_E_NOT_FOUND: /m);
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    });
  }

  it('a malformed reference exits 2 with GANTRY_E_REFERENCE', async () => {
    const run = await runGantry(['inspect', 'Registry.Example/UPPER/Case:tag']);

    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^gantry: error GANTRY_E_REFERENCE: /m);
    assert.equal(run.stdout, '');
  });

  it('a tag holding "@" is refused as a usage error before any request', async () => {
    const run = await runGantry([
      '--debug',
      'tag',
      `${repository}:1.0`,
      `x@sha256:${'a'.repeat(64)}`,
    ]);

    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^gantry: error GANTRY_E_USAGE: /m);
    assert.doesNotMatch(run.stderr, /http > /);
  });

  it('an unknown option exits 2 with a usage error', async () => {
    const run = await runGantry(['inspect', '--no-such-flag', `${repository}:1.0`]);

    assert.equal(run.code, 2);
    assert.match(run.stderr, /^gantry: error GANTRY_E_USAGE: .*--no-such-flag/m);
  });

  it('a malformed platform exits 2 with GANTRY_E_PLATFORM', async () => {
    const run = await runGantry(['inspect', '--platform', 'linux', `${repository}:1.0`]);

    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /GANTRY_E_PLATFORM/);
  });

  it('--password-stdin without a user name is a usage error', async () => {
    const run = await runGantry(['--password-stdin', 'digest', `${repository}:1.0`], {
      input: 'not-a-real-password\n',
      env: { GANTRY_USERNAME: '' },
    });

    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      /^gantry: error GANTRY_E_USAGE: --password-stdin needs a username$/m,
    );
  });

  it('a --ca-file without REGISTRY= is a usage error', async () => {
    const run = await runGantry(['--ca-file', 'ca.pem', 'digest', `${repository}:1.0`]);

    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      /^gantry: error GANTRY_E_USAGE: invalid --ca-file "ca.pem"$/m,
    );
  });

  it('--version prints the version and exits 0', async () => {
    const run = await runGantry(['--version']);

    assert.equal(run.code, 0);
    assert.match(run.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it("release --version V is the release version, not gantry's own", async () => {
    const file = '/nonexistent/release.yaml';
    const run = await runGantry(['release', '--version', '1.2.3', '--dry-run', file]);

    assert.equal(run.code, 2, run.stderr);
    assert.doesNotMatch(run.stdout, /^\d+\.\d+\.\d+\n$/);
    assert.match(run.stderr, /GANTRY_E_RELEASE_FILE: cannot read release file/);
  });
});
