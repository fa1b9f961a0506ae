import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jsonErrorOf, runGantry } from '../harness/cli.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { uniqueRepository } from './support.js';

/**
 * A release whose destination fails at its first request (the tag
 * comparison) says it is the destination, as `gantry copy` does: in the
 * message and, with `--json`, as the error's `side`. Two real failures: a
 * port nothing listens on, and the htpasswd registry without credentials.
 */

let registry: TestRegistry;
let work = '';
let empty = '';

before(async () => {
  registry = (await getRegistries()).basic;
  work = makeTempDir('gantry-release-side-');
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
  const file = ['destinations: [oci:./out]', 'base:', '  files:'];
  file.push('    - from: dist/$TARGETARCH/tool', '      to: /tool');
  await writeFile(join(work, 'release.yaml'), file.join('\n'));
  empty = makeTempDir('gantry-release-side-config-');
  await writeFile(join(empty, 'config.json'), '{}');
});

after(() => {
  removeTempDir(work);
  removeTempDir(empty);
});

async function releaseTo(destination: string) {
  const args = ['--json', 'release', '--version', '1.0.0', '--to', destination];
  const run = await runGantry([...args, 'release.yaml'], {
    cwd: work,
    env: { DOCKER_CONFIG: empty },
  });
  return { code: run.code, error: jsonErrorOf(run.stderr) };
}

describe('release errors on the destination name the destination side', () => {
  it('an unreachable destination', async () => {
    const { code, error } = await releaseTo('127.0.0.1:1/side/tool');
    assert.equal(code, 5);
    assert.equal(error.code, 'GANTRY_E_NETWORK');
    assert.equal(error.side, 'destination');
    assert.match(String(error.message), /^destination: /);
  });

  it('a destination that wants credentials', async () => {
    const { code, error } = await releaseTo(uniqueRepository(registry, 'side'));
    assert.equal(code, 4);
    assert.equal(error.code, 'GANTRY_E_UNAUTHORIZED');
    assert.equal(error.side, 'destination');
    assert.match(String(error.hint), /--password-stdin/);
  });
});
