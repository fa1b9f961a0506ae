import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runGantry } from '../harness/cli.js';

/**
 * A Dockerfile with RUN stops `gantry build` with exit 2 (invalid input),
 * an error naming the Dockerfile and line, and the way to build that
 * stage with an external builder; nothing is written. A docker-save
 * archive output refuses several platforms.
 */
const made: string[] = [];
after(async () => {
  await Promise.all(made.map((path) => rm(path, { recursive: true, force: true })));
});

async function folder(dockerfile: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'gantry-build-run-'));
  made.push(root);
  await writeFile(join(root, 'Dockerfile'), dockerfile);
  await writeFile(join(root, 'a.txt'), 'a');
  return root;
}

describe('gantry build refusals', () => {
  it('RUN exits 2, names Dockerfile:line and explains the external builder', async () => {
    const root = await folder(
      'FROM scratch AS tools\nCOPY a.txt /\n\nRUN make install\n',
    );
    const result = await runGantry(['build', root], { cwd: root });
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /GANTRY_E_BUILD_INPUT: Dockerfile:4: RUN needs a container runtime/,
    );
    assert.match(result.stderr, /hint: .*--output type=oci,dest=stage\.tar/);
    assert.match(result.stderr, /FROM oci-archive:stage\.tar/);
    assert.deepEqual((await readdir(root)).sort(), ['Dockerfile', 'a.txt']);
  });

  it('--json reports the line in the error details', async () => {
    const root = await folder('FROM scratch\nRUN true\n');
    const result = await runGantry(['--json', 'build', root], { cwd: root });
    assert.equal(result.code, 2);
    const { error } = JSON.parse(result.stderr) as { error: { details: unknown } };
    assert.deepEqual(error.details, { file: 'Dockerfile', line: 2 });
  });

  it('a docker-save archive output takes one platform only', async () => {
    const root = await folder('FROM scratch\nCOPY a.txt /\n');
    const result = await runGantry(
      [
        'build',
        '--platform',
        'linux/amd64,linux/arm64',
        '--output',
        `docker-archive:${join(root, 'out.tar')}`,
        '--tag',
        'example.com/app:1',
        '--no-cache',
        root,
      ],
      { cwd: root },
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /a docker-save archive holds one platform image/);
  });
});
