#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ can keep V8's compiled code of gantry's modules on disk
// between runs (in the OS temp folder), which shortens every start-up;
// Node 20 has no such call and starts as before.
if (typeof module.enableCompileCache === 'function') module.enableCompileCache();

const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
