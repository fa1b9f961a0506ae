#!/usr/bin/env node
/**
 * `npm run build`: compiles src/ into dist/ with tsc (the library, its
 * types and source maps), then joins the CLI's modules and its runtime
 * dependencies into dist/cli-bundle/ with esbuild, which bin/gantry.js runs.
 *
 * Why a bundle: Node resolves, reads and compiles every ES module file on
 * its own, and the CLI with undici, commander and yaml is more than a
 * hundred of them. On the two-core bench machine that is about 65 ms of a
 * 380 ms `gantry build` whose layers are cached (bench/build), paid by every
 * command. One file per command (esbuild's code splitting keeps the lazy
 * `import()` of each command's code) loads in a fraction of that. The
 * library (`import 'gantry'`) stays dist/ as tsc wrote it.
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
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: ['@bokuweb/zstd-wasm'],
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  // The CommonJS dependencies call require() for Node's own modules, which
  // an ES module has no binding for; each output file gets one.
  banner: {
    js: "import { createRequire as gantryRequire } from 'node:module';\nconst require = gantryRequire(import.meta.url);",
  },
});
// Which source modules each output file holds: the start-up test reads it
// to tell which of gantry's modules a command loaded.
writeFileSync(join(OUT, 'metafile.json'), JSON.stringify(bundle.metafile));
