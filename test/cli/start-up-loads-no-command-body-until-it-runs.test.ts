import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runGantry } from '../harness/cli.js';
import { getRegistries } from '../harness/registries.js';

/**
 * Every gantry invocation pays for the modules it loads. `--version`,
 * `--help` and each command's `--help` load commander and the flags only;
 * a command's body (the registry client, copy, build, release, verify)
 * and the heavy packages load when that command runs. Node's own module
 * debug output (NODE_DEBUG=esm,module) names every file it loads.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Loaded only by commands that need them. */
const HEAVY = [
  'node_modules/undici/',
  'node_modules/yaml/',
  'node_modules/tar-stream/',
  'node_modules/@bokuweb/zstd-wasm/',
  'node_modules/semver/',
  'dist/registry/client.js',
  'dist/registry/session.js',
  'dist/copy/',
  'dist/store/',
  'dist/build/',
  'dist/verify/',
  'dist/oci/manifest.js',
];

const COMMANDS = ['copy', 'inspect', 'digest', 'tags', 'tag', 'delete', 'diff'];
const MORE = ['verify', 'rollback', 'build', 'release'];

/** The files of this project a run loaded, relative to the project root. */
async function loadedFiles(args: string[]): Promise<string[]> {
  const run = await runGantry(args, { env: { NODE_DEBUG: 'esm,module' } });
  assert.equal(run.code, 0, run.stderr.slice(-2000));
  const files = new Set<string>();
  for (const match of run.stderr.matchAll(/(?:file:\/\/|")(\/[^\s"]+\.m?js)/g)) {
    const path = match[1]!;
    if (path.startsWith(ROOT)) files.add(path.slice(ROOT.length));
  }
  return [...files];
}

for (const args of [
  ['--version'],
  ['--help'],
  ...[...COMMANDS, ...MORE].map((c) => [c, '--help']),
]) {
  test(`gantry ${args.join(' ')} loads no command body, no heavy package`, async () => {
    const files = await loadedFiles(args);
    assert.ok(files.includes('dist/cli/main.js'), 'the debug output names the files');
    const heavy = files.filter((file) => HEAVY.some((prefix) => file.startsWith(prefix)));
    assert.deepEqual(heavy, []);
    assert.deepEqual(
      files.filter((file) => file.endsWith('-run.js')),
      [],
    );
  });
}

test('a command that runs loads its body, which the check above would see', async () => {
  // `tags` of a missing layout fails, after loading its body.
  const run = await runGantry(['tags', 'oci:/nonexistent-gantry-layout'], {
    env: { NODE_DEBUG: 'esm,module' },
  });
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /dist\/cli\/tags-run\.js/);
  assert.match(run.stderr, /dist\/store\//);
});

test("a registry command loads undici's agent, not its fetch, nor archive code", async () => {
  const { plain } = await getRegistries();
  const run = await runGantry(['tags', `${plain.host}/start-up/nothing`], {
    env: { NODE_DEBUG: 'esm,module' },
  });
  assert.equal(run.code, 3, run.stderr.slice(-2000));
  assert.match(run.stderr, /undici\/lib\/dispatcher\/agent\.js/);
  assert.doesNotMatch(run.stderr, /undici\/lib\/web\/fetch\//);
  assert.doesNotMatch(
    run.stderr,
    /node_modules\/tar-stream\/|dist\/store\/oci-layout\.js/,
  );
});
