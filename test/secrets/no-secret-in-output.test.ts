import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAPTURE_DIR_ENV } from '../harness/capture.js';
import { collectSecrets, findLeaks, listCaptureFiles } from '../harness/secret-scan.js';
import { SECRETS_FILE_ENV } from '../harness/secrets.js';
import { TEST_USERS } from '../harness/users.js';

/**
 * Runs last in `npm test` (scripts/test.ts): every password, Basic credential
 * and token issued during the run is looked for in everything the CLI and the
 * tests captured. Failures name the file and the kind of secret, never it.
 */

const captureDir = process.env[CAPTURE_DIR_ENV];
const secretsFile = process.env[SECRETS_FILE_ENV];
const underNpmTest = Boolean(captureDir && secretsFile);

test('no password, credential or token appears in any captured output', {
  skip: underNpmTest ? false : 'needs the capture of a whole run: use npm test',
}, () => {
  const files = listCaptureFiles(captureDir!);
  const secrets = collectSecrets(TEST_USERS);
  assert.ok(files.length > 0, `nothing was captured in ${captureDir}`);
  assert.ok(secrets.length > 0, 'no secrets were recorded');

  const leaks = findLeaks(files, secrets);
  const report = leaks.map((l) => `${l.file}:${l.line}: ${l.secret}`).join('\n');
  assert.equal(leaks.length, 0, `secrets found in captured output:\n${report}`);
});

test('the scan saw tokens when the token registry was used', {
  skip: !underNpmTest,
}, () => {
  const tokens = collectSecrets(TEST_USERS).filter((s) =>
    s.label.startsWith('issued token'),
  );
  assert.ok(
    tokens.length > 0,
    'no issued token was recorded; is GANTRY_TEST_SECRETS_FILE set?',
  );
});
