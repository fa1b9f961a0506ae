#!/usr/bin/env node
import module from 'node:module';
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
const { main } = await import('../dist/cli-bundle/main.js');
process.exitCode = await main(process.argv.slice(2));
