import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/**
 * Secrets issued during a test run (tokens, refresh tokens), so the secret
 * scan can look for them in everything the run printed.
 *
 * Each is kept in memory and, when `GANTRY_TEST_SECRETS_FILE` is set (by
 * scripts/test.ts), appended as one line to that file, which is how secrets
 * issued in one process reach the scan running in another.
 */
export const SECRETS_FILE_ENV = 'GANTRY_TEST_SECRETS_FILE';

const issued: string[] = [];

export function recordSecret(value: string): void {
  issued.push(value);
  const file = process.env[SECRETS_FILE_ENV];
  if (file !== undefined && file !== '') {
    appendFileSync(file, `${value}\n`, { mode: 0o600 });
  }
}

/** Every secret recorded by this process or written to the secrets file. */
export function recordedSecrets(): string[] {
  const all = new Set(issued);
  const file = process.env[SECRETS_FILE_ENV];
  if (file !== undefined && file !== '' && existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line !== '') all.add(line);
    }
  }
  return [...all];
}
