import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { gantryOn } from './copy-support.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * A failed copy says which side failed (DESIGN.md: "Copy errors name the
 * side"): a missing source is exit 3 and names the source; a destination
 * that refuses the push is exit 4 and names the destination. No reference
 * is printed on stdout for a copy that did not happen, and a missing source
 * leaves nothing behind at the destination.
 */

describe('gantry copy errors', () => {
  let plain: TestRegistry;
  let token: TestRegistry;
  let dir = '';

  before(async () => {
    ({ plain, token } = await getRegistries());
    dir = mkdtempSync(join(tmpdir(), 'gantry-cli-copy-errors-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing source tag: exit 3, the message names the source', async () => {
    const missing = `${uniqueRepository(plain, 'copy-missing')}:nope`;
    const run = await gantryOn(plain, ['copy', missing, `oci:${join(dir, 'out')}:1`]);

    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /^gantry: error GANTRY_E_NOT_FOUND: source: /);
    assert.equal(run.stdout, '');
    assert.equal(existsSync(join(dir, 'out')), false, 'nothing made at the destination');
  });

  it('--json: the error document carries side "source"', async () => {
    const missing = `${uniqueRepository(plain, 'copy-missing')}:nope`;
    const run = await gantryOn(plain, ['--json', 'copy', missing, `${missing}-copy`]);

    assert.equal(run.code, 3, run.stderr);
    const { error } = JSON.parse(run.stderr) as { error: { code: string; side: string } };
    assert.equal(error.code, 'GANTRY_E_NOT_FOUND');
    assert.equal(error.side, 'source');
  });

  it('a missing source layout: exit 3, names the source', async () => {
    const run = await gantryOn(undefined, [
      'copy',
      `oci:${join(dir, 'no-such-layout')}:1`,
      `oci:${join(dir, 'out2')}:1`,
    ]);

    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /source/);
  });

  it('a destination the user may not push to: exit 4, names the destination', async () => {
    const source = `${uniqueRepository(token, 'copy-readable')}:1`;
    await seedImage(seedingClient(token), ref(source));
    const destination = `${uniqueRepository(token, 'copy-denied')}:1`;

    const run = await gantryOn(token, ['copy', source, destination], 'bob');
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /destination/);
    assert.equal(run.stdout, '');
  });

  it('--all-tags with a tagged source is a usage error (exit 2)', async () => {
    const run = await gantryOn(plain, [
      'copy',
      '--all-tags',
      `${uniqueRepository(plain, 'x')}:1`,
      uniqueRepository(plain, 'y'),
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--all-tags copies a whole repository/);
  });

  it('a destination reference that does not parse: exit 2, names the destination', async () => {
    const source = `${uniqueRepository(plain, 'copy-any')}:1`;
    const run = await gantryOn(plain, ['copy', source, 'Upper/Case::x']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^gantry: error GANTRY_E_REFERENCE: destination: /);
  });

  it('--concurrency 0 is a usage error (exit 2)', async () => {
    const run = await gantryOn(plain, ['copy', '--concurrency', '0', 'a/b:1', 'a/c:1']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--concurrency/);
  });
});
