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
 * V8's code cache of the bundle, one file per command, in gantry's cache
 * folder ($XDG_CACHE_HOME/gantry/compile, else ~/.cache/gantry/compile, as
 * the layer cache): a user's own folder, never a shared temp one.
 *
 * - Keyed by node's version and flags and the bundle's content; V8 checks
 *   its version and flags again and refuses a cache that does not fit.
 * - Each file starts with the SHA-256 of the rest, checked before V8 sees
 *   it: V8 checks only a cache's header (release builds skip its checksum),
 *   and a cache damaged further in crashes node.
 * - Written after a run of its command that succeeded and was not a help
 *   text, from the code that run compiled, when there was none or V8
 *   refused it. Files of other bundles or flags unused for a week go then.
 * - NODE_DISABLE_COMPILE_CACHE (node's own switch for its cache) turns it
 *   off. Nothing here ever fails a command: a cache that cannot be read or
 *   written is left alone.
 */
const CHECKSUM_BYTES = 32;
const UNUSED_MS = 7 * 24 * 60 * 60 * 1000;

function compileCache(source, argv) {
  const none = { data: undefined, save() {} };
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return none;
  try {
    // The XDG base directory spec: a relative value is ignored.
    const xdg = process.env.XDG_CACHE_HOME;
    const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
    const folder = path.join(base, 'gantry', 'compile');
    const command = argv.find((word) => COMMANDS.has(word)) ?? 'other';
    const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
    const id = createHash('sha256').update(flags).update(source).digest('hex');
    const prefix = `${process.version}-${process.arch}-${id.slice(0, 16)}-`;
    const file = path.join(folder, `${prefix}${command}`);
    const data = readChecked(file);
    const help = argv.some(
      (word) => word === '--help' || word === '-h' || word === 'help',
    );
    return {
      data,
      save(script, code) {
        if (code !== 0 || help) return;
        if (data !== undefined && !script.cachedDataRejected) return;
        const temp = `${file}.${process.pid}.tmp`;
        try {
          fs.mkdirSync(folder, { recursive: true });
          const payload = script.createCachedData();
          const sum = createHash('sha256').update(payload).digest();
          fs.writeFileSync(temp, Buffer.concat([sum, payload]));
          fs.renameSync(temp, file);
          prune(folder, prefix);
        } catch {
          // A read-only or full disk: the next run compiles again.
          fs.rmSync(temp, { force: true });
        }
      },
    };
  } catch {
    return none;
  }
}

/** The cache in `file` if its checksum holds; undefined otherwise. */
function readChecked(file) {
  let bytes;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  if (bytes.length <= CHECKSUM_BYTES) return undefined;
  const payload = bytes.subarray(CHECKSUM_BYTES);
  const sum = createHash('sha256').update(payload).digest();
  return sum.equals(bytes.subarray(0, CHECKSUM_BYTES)) ? payload : undefined;
}

/** Removes the files of other bundles or flags that no run used for a week. */
function prune(folder, prefix) {
  const now = Date.now();
  for (const name of fs.readdirSync(folder)) {
    if (name.startsWith(prefix)) continue;
    const file = path.join(folder, name);
    if (now - fs.statSync(file).mtimeMs > UNUSED_MS) fs.rmSync(file, { force: true });
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
  cache.save(script, code);
});
