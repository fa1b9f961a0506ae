#!/usr/bin/env node
/**
 * `npm run build`: compiles src/ into dist/ with tsc (the library, its
 * types and source maps), then joins the CLI's modules and its runtime
 * dependencies into one CommonJS file, dist/cli-bundle/gantry.cjs, with
 * esbuild; bin/gantry.cjs runs it.
 *
 * Why one CommonJS file: node resolves, reads, compiles and links every ES
 * module file on its own, and its ES module loader is itself code to load;
 * the CLI with undici, commander and yaml is more than a hundred modules.
 * One script compiles once, and bin/gantry.cjs keeps V8's compiled code of
 * it between runs (its compile cache), which ES modules do not allow on
 * Node 20. On the two-core bench machine that took a cached `gantry build`
 * from 0.38 s (modules from dist/) to 0.26 s (README, Development).
 * Command bodies still run only when their command runs: esbuild wraps
 * each module reached by `import()` in a function called on first use.
 * The library (`import 'gantry'`) stays dist/ as tsc wrote it.
 *
 * `@bokuweb/zstd-wasm` stays outside the bundle: it reads its .wasm file
 * next to its own module at run time.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'cli-bundle');

const tsc = spawnSync(
  process.execPath,
  [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
  { cwd: ROOT, stdio: 'inherit' },
);
if (tsc.status !== 0) {
  console.error('build: tsc -p tsconfig.json failed');
  process.exit(tsc.status ?? 1);
}

rmSync(OUT, { recursive: true, force: true });
const bundle = await build({
  entryPoints: [join(ROOT, 'dist', 'cli', 'main.js')],
  outfile: join(OUT, 'gantry.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  external: ['@bokuweb/zstd-wasm'],
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  // main.js finds package.json from its own URL; in the bundle, from the file's.
  define: { 'import.meta.url': 'gantryBundleUrl' },
  banner: {
    js: "const gantryBundleUrl = require('node:url').pathToFileURL(__filename).href;",
  },
});
// Which source modules the bundle holds: the start-up test reads it.
writeFileSync(join(OUT, 'metafile.json'), JSON.stringify(bundle.metafile));
