#!/usr/bin/env node
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

// undici parses HTTP with llhttp compiled to WebAssembly. By default V8
// also compiles that module with its optimising tier on background
// threads, which costs a short command more than it saves: 60 ms and
// 35 MB of a no-op `gantry copy` on the bench machine, while the baseline
// tier parses a 94 MiB copy as fast (bench/copy). The flag must be set
// before undici is loaded; it touches WebAssembly only, never JavaScript.
v8.setFlagsFromString('--liftoff-only');

// Node 22.1+ can keep V8's compiled code of gantry's modules on disk
// between runs (in the OS temp folder), which shortens every start-up;
// Node 20 has no such call and starts as before.
if (typeof module.enableCompileCache === 'function') module.enableCompileCache();

// dist/cli-bundle is the CLI in one file per command (scripts/build.mjs).
const BUNDLE = new URL('../dist/cli-bundle/main.js', import.meta.url);
let cli;
try {
  cli = await import(BUNDLE.href);
} catch (error) {
  // A checkout where `npm run build` has not run (or only tsc has).
  if (
    error?.code !== 'ERR_MODULE_NOT_FOUND' ||
    !String(error.message).includes(fileURLToPath(BUNDLE))
  ) {
    throw error;
  }
  process.stderr.write(
    'gantry: error GANTRY_E_INTERNAL: this copy of gantry is not built (no dist/cli-bundle/main.js)\n' +
      'hint: run npm run build (npm ci and npm install run it too)\n',
  );
  process.exit(1);
}
process.exitCode = await cli.main(process.argv.slice(2));
