import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runGantry } from '../harness/cli.js';
import { getRegistries } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * Every gantry invocation pays for the code it runs. The CLI is one bundle
 * (scripts/build.mjs) in which each module reached by `import()` (a
 * command's body) and each CommonJS package (undici, tar-stream, yaml) is
 * a function run on first use; `--version`, `--help` and each command's
 * `--help` must run none of them. What ran shows in the node built-ins the
 * process loaded (process.moduleLoadList, printed at exit by a preloaded
 * script): undici's first use loads http, http2 and tls, a body loads
 * fs/promises, a build zlib.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Built-ins only a command's body or a heavy package loads. */
const HEAVY = ['http', 'http2', 'tls', 'zlib', 'worker_threads', 'fs/promises'];
const COMMANDS = ['copy', 'inspect', 'digest', 'tags', 'tag', 'delete', 'diff'];
const MORE = ['verify', 'rollback', 'build', 'release', 'index'];

let work = '';
let preload = '';
before(() => {
  work = makeTempDir('gantry-start-up-');
  preload = join(work, 'builtins.cjs');
  writeFileSync(
    preload,
    [
      "process.on('exit', () => {",
      '  const loaded = process.moduleLoadList',
      "    .filter((m) => m.startsWith('NativeModule ') && !m.includes('internal/'))",
      "    .map((m) => m.slice('NativeModule '.length));",
      "  process.stderr.write('\\nBUILTINS ' + loaded.join(' ') + '\\n');",
      '});',
    ].join('\n'),
  );
});
after(() => {
  if (work !== '') removeTempDir(work);
});

/** The node built-ins a run of `gantry ARGS` loaded. */
async function builtins(args: string[], expectCode?: number): Promise<string[]> {
  const run = await runGantry(args, { env: { NODE_OPTIONS: `--require ${preload}` } });
  if (expectCode !== undefined)
    assert.equal(run.code, expectCode, run.stderr.slice(-2000));
  const line = /^BUILTINS (.*)$/m.exec(run.stderr);
  assert.ok(line !== null, `no BUILTINS line: ${run.stderr.slice(-500)}`);
  return line[1]!.split(' ');
}

for (const args of [
  ['--version'],
  ['--help'],
  ...[...COMMANDS, ...MORE].map((c) => [c, '--help']),
]) {
  test(`gantry ${args.join(' ')} runs no command body, no heavy package`, async () => {
    const loaded = await builtins(args, 0);
    assert.ok(loaded.includes('fs'), 'the list is of what was loaded');
    assert.deepEqual(
      loaded.filter((name) => HEAVY.includes(name)),
      [],
    );
  });
}

test('a command that runs runs its body, which the check above would see', async () => {
  // `tags` of a missing layout fails, after running its body.
  const loaded = await builtins(['tags', 'oci:/nonexistent-gantry-layout']);
  for (const name of ['fs/promises', 'http', 'http2', 'tls']) {
    assert.ok(loaded.includes(name), `${name} in ${loaded.join(' ')}`);
  }
  const { plain } = await getRegistries();
  const registry = await builtins(['tags', `${plain.host}/start-up/nothing`], 3);
  assert.ok(registry.includes('http'));
});

test("the bundle holds undici's agent and request API, not its fetch", () => {
  const meta = JSON.parse(
    readFileSync(join(ROOT, 'dist', 'cli-bundle', 'metafile.json'), 'utf8'),
  ) as { inputs: Record<string, unknown> };
  const inputs = Object.keys(meta.inputs);
  assert.ok(inputs.includes('node_modules/undici/lib/dispatcher/agent.js'));
  assert.ok(inputs.includes('node_modules/undici/lib/api/api-request.js'));
  assert.ok(!inputs.includes('node_modules/undici/lib/web/fetch/index.js'));
});
