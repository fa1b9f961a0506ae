import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/**
 * Output captured for the secret scan (test/secrets): everything the CLI
 * printed under test, plus any text library-level tests add (error messages,
 * debug logs). One file per test process, named after its test file, in the
 * directory `GANTRY_TEST_CAPTURE_DIR` (set by scripts/test.ts). When that is
 * unset, a temp directory is made and removed at exit.
 */
export const CAPTURE_DIR_ENV = 'GANTRY_TEST_CAPTURE_DIR';

let captureFile: string | undefined;

function file(): string {
  if (captureFile !== undefined) return captureFile;
  let dir = process.env[CAPTURE_DIR_ENV];
  if (dir === undefined || dir === '') {
    const made = mkdtempSync(join(tmpdir(), 'gantry-capture-'));
    process.on('exit', () => rmSync(made, { recursive: true, force: true }));
    process.env[CAPTURE_DIR_ENV] = made;
    dir = made;
  }
  const testFile = basename(process.argv[1] ?? 'process');
  captureFile = join(dir, `${testFile}.${process.pid}.log`);
  return captureFile;
}

/**
 * Appends `text` under a `label` line. Labels name what produced the text and
 * must not hold secrets themselves. Synchronous, so nothing is lost when the
 * process exits right after.
 */
export function captureText(label: string, text: string): void {
  appendFileSync(file(), `### ${label}\n${text}\n`, { mode: 0o600 });
}

/** The file this process captures into (made on first use). */
export function captureFilePath(): string {
  return file();
}
