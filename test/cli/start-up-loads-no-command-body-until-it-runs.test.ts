import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runGantry } from '../harness/cli.js';
import { getRegistries } from '../harness/registries.js';

/**
 * Every gantry invocation pays for the modules it loads. `--version`,
 * `--help` and each command's `--help` load commander and the flags only;
 * a command's body (the registry client, copy, build, release, verify)
 * and the heavy packages load when that command runs. Node's own module
 * debug output (NODE_DEBUG=esm,module) names every file it loads; the CLI
 * runs from the bundle in dist/cli-bundle (scripts/build.mjs), whose
 * metafile says which of gantry's and its packages' modules each bundle
 * file holds.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUNDLE = 'dist/cli-bundle/';

/** Bundle file (relative to the root) -> the modules it holds. */
function bundleInputs(): Map<string, string[]> {
  const meta = JSON.parse(readFileSync(`${ROOT}${BUNDLE}metafile.json`, 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };
  return new Map(
    Object.entries(meta.outputs).map(([file, output]) => [
      file,
      Object.keys(output.inputs),
    ]),
  );
}

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

/**
 * The modules of this project and its packages a run loaded, relative to
 * the project root: each bundle file it loaded stands for the modules in it.
 */
function loadedModules(stderr: string): string[] {
  const inputs = bundleInputs();
  const files = new Set<string>();
  for (const match of stderr.matchAll(/(?:file:\/\/|")(\/[^\s"]+\.m?js)/g)) {
    const path = match[1]!;
    if (!path.startsWith(ROOT)) continue;
    const file = path.slice(ROOT.length);
    if (!file.startsWith(BUNDLE)) files.add(file);
    else
      for (const input of inputs.get(file) ?? [`${file} (not in the metafile)`]) {
        files.add(input);
      }
  }
  return [...files];
}

async function loadedFiles(args: string[]): Promise<string[]> {
  const run = await runGantry(args, { env: { NODE_DEBUG: 'esm,module' } });
  assert.equal(run.code, 0, run.stderr.slice(-2000));
  return loadedModules(run.stderr);
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
  const files = loadedModules(run.stderr);
  assert.ok(files.includes('dist/cli/tags-run.js'), files.join('\n'));
  assert.ok(
    files.some((file) => file.startsWith('dist/store/')),
    files.join('\n'),
  );
});

test("a registry command loads undici's agent, not its fetch, nor archive code", async () => {
  const { plain } = await getRegistries();
  const run = await runGantry(['tags', `${plain.host}/start-up/nothing`], {
    env: { NODE_DEBUG: 'esm,module' },
  });
  assert.equal(run.code, 3, run.stderr.slice(-2000));
  const files = loadedModules(run.stderr);
  assert.ok(files.includes('node_modules/undici/lib/dispatcher/agent.js'));
  // fetch() itself; the bundle holds the few helpers of it that undici's
  // request body code requires, which do not run unless called.
  assert.ok(!files.includes('node_modules/undici/lib/web/fetch/index.js'));
  assert.deepEqual(
    files.filter(
      (file) =>
        file.startsWith('node_modules/tar-stream/') ||
        file === 'dist/store/oci-layout.js',
    ),
    [],
  );
});
