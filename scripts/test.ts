/**
 * `npm test`: build, start the shared test registries once, run the suite,
 * then the secret scan, then stop everything.
 *
 *   npm test                 every test/**\/*.test.ts, then test/secrets/*
 *   npm test -- FILE...      only those files (secret scan files still last)
 *
 * Test files reach the registries through GANTRY_TEST_REGISTRIES and write
 * what they capture and which secrets were issued to temp paths named in the
 * environment; the whole temp dir is removed at the end. Node's own test
 * reporter and summary are kept: CI reads its summary lines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CAPTURE_DIR_ENV } from '../test/harness/capture.js';
import { stopAll } from '../test/harness/lifecycle.js';
import {
  describeRegistries,
  REGISTRIES_ENV,
  startRegistries,
} from '../test/harness/registries.js';
import { SECRETS_FILE_ENV } from '../test/harness/secrets.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
/**
 * Test files run two at a time: they share the registries, and more parallel
 * files save little while making interleaved failures harder to read.
 */
const TEST_CONCURRENCY = 2;
const SECRETS_DIR = `test${sep}secrets${sep}`;

let current: ChildProcess | undefined;
let stopping = false;

/**
 * Runs a command. `tee` shows its output as it comes and keeps it too, so
 * the summaries of both node test runs can be added up at the end.
 */
function run(command: string, args: string[], stdio: 'tee' | 'pipe' = 'tee') {
  return new Promise<{ code: number; output: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    current = child;
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      if (stdio === 'tee') process.stdout.write(chunk);
      output += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stdio === 'tee') process.stderr.write(chunk);
      else output += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      current = undefined;
      resolve({ code: code ?? (signal === null ? 1 : 128), output });
    });
  });
}

function findTests(dir: string): string[] {
  return readdirSync(join(REPO, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => relative(REPO, join(entry.parentPath, entry.name)))
    .sort();
}

function nodeTest(files: string[]) {
  return run(process.execPath, [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${TEST_CONCURRENCY}`,
    ...files,
  ]);
}

async function main(argv: string[]): Promise<number> {
  const build = await run(process.execPath, [join(REPO, 'scripts', 'build.mjs')], 'pipe');
  if (build.code !== 0) {
    process.stderr.write(`npm test: the build (npm run build) failed:\n${build.output}`);
    return build.code;
  }

  const files = argv.length > 0 ? argv.map((f) => relative(REPO, f)) : findTests('test');
  const isSecretScan = (file: string) => file.startsWith(SECRETS_DIR);
  const mainFiles = files.filter((f) => !isSecretScan(f));
  const scanFiles = files.filter(isSecretScan);

  let scanFailed = false;
  const runDir = mkdtempSync(join(tmpdir(), 'gantry-test-run-'));
  try {
    mkdirSync(join(runDir, 'capture'));
    process.env[CAPTURE_DIR_ENV] = join(runDir, 'capture');
    process.env[SECRETS_FILE_ENV] = join(runDir, 'secrets');

    const started = Date.now();
    const registries = await startRegistries({ signalHooks: false });
    process.env[REGISTRIES_ENV] = JSON.stringify(describeRegistries(registries));
    process.stderr.write(
      `npm test: 4 test registries ready in ${Date.now() - started} ms\n`,
    );

    // Both runs always happen: a failing suite must not hide a leaked secret.
    const suite =
      mainFiles.length > 0 && !stopping ? await nodeTest(mainFiles) : undefined;
    const scan =
      scanFiles.length > 0 && !stopping ? await nodeTest(scanFiles) : undefined;
    scanFailed = scan !== undefined && scan.code !== 0;
    printTotals([suite?.output ?? '', scan?.output ?? '']);
    return suite?.code || scan?.code || stopping ? 1 : 0;
  } finally {
    await stopAll();
    // A failed scan names capture files: keep them (test-only secrets) to look at.
    rmSync(join(runDir, 'secrets'), { force: true });
    if (scanFailed) process.stderr.write(`npm test: capture kept in ${runDir}/capture\n`);
    else rmSync(runDir, { recursive: true, force: true });
  }
}

/**
 * Node prints one summary per run (`# pass N`, `# fail N`); the suite and the
 * secret scan are two runs, so the last line adds them up in the plain form
 * `N passed, N failed` that any reader of test output understands.
 */
function printTotals(outputs: string[]): void {
  const sum = (name: string) =>
    outputs.reduce((total, output) => {
      const found = [...output.matchAll(new RegExp(`^# ${name} (\\d+)$`, 'gm'))].at(-1);
      return total + (found ? Number(found[1]) : 0);
    }, 0);
  const skipped = sum('skipped');
  const tail = skipped > 0 ? `, ${skipped} skipped` : '';
  process.stdout.write(`\ntotal: ${sum('pass')} passed, ${sum('fail')} failed${tail}\n`);
}

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.on(signal, () => {
    // The test run gets the signal too when it came from the terminal; pass it
    // on anyway (kill/CI timeout), then main() stops the registries and exits.
    stopping = true;
    current?.kill(signal);
    process.exitCode = code;
  });
}

const code = await main(process.argv.slice(2));
process.exitCode = stopping ? process.exitCode : code;
