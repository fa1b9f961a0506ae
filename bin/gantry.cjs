#!/usr/bin/env node
'use strict';
// Runs the CLI bundle `npm run build` writes (scripts/build.mjs), with V8's
// compiled code of it kept between runs. CommonJS on purpose: an ES module
// entry would load node's ES module loader first, about 20 ms of every
// command on the bench machine.
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

// undici parses HTTP with llhttp compiled to WebAssembly. By default V8
// also compiles that module with its optimising tier on background
// threads, which costs a short command more than it saves: 60 ms and
// 35 MB of a no-op `gantry copy` on the bench machine, while the baseline
// tier parses a 94 MiB copy as fast (bench/copy). The flag must be set
// before undici is loaded; it touches WebAssembly only, never JavaScript.
v8.setFlagsFromString('--liftoff-only');

const BUNDLE = path.join(__dirname, '..', 'dist', 'cli-bundle', 'gantry.cjs');

/** Commands that get a compile cache of their own (the code each one runs). */
const COMMANDS = new Set([
  'build',
  'copy',
  'delete',
  'diff',
  'digest',
  'index',
  'inspect',
  'release',
  'rollback',
  'tag',
  'tags',
  'verify',
]);

/**
 * V8's code cache of the bundle, one file per command and bundle, in
 * gantry's cache folder (XDG_CACHE_HOME or ~/.cache, as the layer cache):
 * a user's own folder, never a shared temp one, since V8 trusts what it
 * reads there. Keyed by node's version and the bundle's content; V8 checks
 * its own version and flags again and refuses a cache that does not fit.
 * Made after the first run of a command, from the code that run compiled;
 * the caches of other bundles (an earlier gantry) are removed then.
 * NODE_DISABLE_COMPILE_CACHE (node's own switch for its cache) turns it off.
 * Nothing here ever fails a command: a cache that cannot be read or written
 * is left alone.
 */
function compileCache(source, argv) {
  const none = { data: undefined, save() {} };
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return none;
  try {
    const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
    const folder = path.join(base, 'gantry', 'compile');
    const command = argv.find((word) => COMMANDS.has(word)) ?? 'other';
    const id = createHash('sha256').update(source).digest('hex').slice(0, 16);
    const prefix = `${process.version}-${process.arch}-${id}-`;
    const file = path.join(folder, `${prefix}${command}`);
    let data;
    try {
      data = fs.readFileSync(file);
    } catch {
      data = undefined;
    }
    return {
      data,
      save(script) {
        if (data !== undefined && !script.cachedDataRejected) return;
        try {
          fs.mkdirSync(folder, { recursive: true });
          const temp = `${file}.${process.pid}.tmp`;
          fs.writeFileSync(temp, script.createCachedData());
          fs.renameSync(temp, file);
          for (const name of fs.readdirSync(folder)) {
            if (!name.startsWith(prefix))
              fs.rmSync(path.join(folder, name), { force: true });
          }
        } catch {
          // A read-only or full disk: the next run compiles again.
        }
      },
    };
  } catch {
    return none;
  }
}

let source;
try {
  source = fs.readFileSync(BUNDLE, 'utf8');
} catch (error) {
  if (error?.code !== 'ENOENT') throw error;
  // A checkout where `npm run build` has not run (or only tsc has).
  process.stderr.write(
    'gantry: error GANTRY_E_INTERNAL: this copy of gantry is not built ' +
      '(no dist/cli-bundle/gantry.cjs)\n' +
      'hint: run npm run build (npm ci and npm install run it too)\n',
  );
  process.exit(1);
}

const argv = process.argv.slice(2);
const cache = compileCache(source, argv);
const script = new vm.Script(Module.wrap(source), {
  filename: BUNDLE,
  cachedData: cache.data,
});
const cli = { exports: {} };
script.runInThisContext()(
  cli.exports,
  Module.createRequire(BUNDLE),
  cli,
  BUNDLE,
  path.dirname(BUNDLE),
);
cli.exports.main(argv).then((code) => {
  process.exitCode = code;
  cache.save(script);
});
