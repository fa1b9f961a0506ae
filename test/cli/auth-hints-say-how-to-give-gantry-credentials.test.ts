import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * gantry has no login command: an authentication error's hint names the
 * ways gantry does take credentials. A push whose Docker config names a
 * credential helper that is not installed is warned, before it fails, that
 * the helper did not run and that a push cannot go on without it.
 */

/** A helper name no machine has, so `docker-credential-<name>` is missing. */
const MISSING_HELPER = 'gantry-test-missing-helper';

let registry: TestRegistry;
let source = '';
/** An image on the plain registry, which anyone may read. */
let publicSource = '';
let empty = '';
let missingHelper = '';

before(async () => {
  registry = (await getRegistries()).basic;
  source = `${uniqueRepository(registry, 'auth-hint')}:1`;
  await seedImage(seedingClient(registry), ref(source), { platforms: ['linux/amd64'] });
  const plain = (await getRegistries()).plain;
  publicSource = `${uniqueRepository(plain, 'auth-hint-public')}:1`;
  await seedImage(seedingClient(plain), ref(publicSource), {
    platforms: ['linux/amd64'],
  });
  // An empty Docker config, and one whose credsStore helper is missing.
  empty = makeTempDir('gantry-auth-hint-empty-');
  writeFileSync(join(empty, 'config.json'), '{}');
  missingHelper = makeTempDir('gantry-auth-hint-helper-');
  writeFileSync(
    join(missingHelper, 'config.json'),
    JSON.stringify({ credsStore: MISSING_HELPER }),
  );
});
after(() => {
  removeTempDir(empty);
  removeTempDir(missingHelper);
});

/** The `hint:` line of an error on stderr. */
function hintOf(stderr: string): string {
  return stderr.split('\n').find((line) => line.startsWith('hint: ')) ?? '';
}

describe('authentication errors say how to give gantry credentials', () => {
  it('an anonymous pull names --password-stdin and docker login', async () => {
    const run = await runGantry(['digest', source], { env: { DOCKER_CONFIG: empty } });
    assert.equal(run.code, 4, run.stderr);
    const hint = hintOf(run.stderr);
    assert.match(hint, /--username USER --password-stdin/);
    assert.match(hint, /GANTRY_USERNAME and GANTRY_PASSWORD/);
    assert.match(hint, /docker login \(gantry reads its config\.json\)/);
    assert.doesNotMatch(hint, /log in to/);
  });

  it('a push with a missing credsStore helper names the helper first', async () => {
    const destination = `${uniqueRepository(registry, 'auth-helper')}:1`;
    const run = await runGantry(['copy', publicSource, destination], {
      env: { DOCKER_CONFIG: missingHelper },
    });
    assert.equal(run.code, 4, run.stderr);
    const warning = run.stderr.split('\n').find((line) => line.includes('warning'));
    assert.match(warning ?? '', new RegExp(`docker-credential-${MISSING_HELPER}`));
    assert.match(warning ?? '', /a push or a private read fails/);
    assert.doesNotMatch(run.stderr, /pulling from .* anonymously/);
    assert.match(hintOf(run.stderr), /--password-stdin/);
  });
});
