import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordedSecrets } from './secrets.js';
import type { TestUsers } from './users.js';

/**
 * Finds recorded secrets in captured output. Reports name the file, the line
 * and which secret it was (e.g. "password of alice"), never the secret.
 */

export interface Secret {
  /** What the secret is, safe to print. */
  label: string;
  value: string;
}

export interface Leak {
  file: string;
  line: number;
  secret: string;
}

/** The JWT signature alone is as secret as the token; clients may log parts. */
function tokenParts(token: string, index: number): Secret[] {
  const parts = [{ label: `issued token #${index + 1}`, value: token }];
  const signature = token.split('.')[2];
  if (signature !== undefined && signature.length > 0) {
    parts.push({ label: `signature of issued token #${index + 1}`, value: signature });
  }
  return parts;
}

/** The passwords, their `user:password` Basic encodings, and recorded tokens. */
export function collectSecrets(users: TestUsers): Secret[] {
  const secrets: Secret[] = [];
  for (const [user, password] of Object.entries(users) as [string, string][]) {
    secrets.push({ label: `password of ${user}`, value: password });
    secrets.push({
      label: `Basic credentials of ${user}`,
      value: Buffer.from(`${user}:${password}`).toString('base64'),
    });
  }
  recordedSecrets().forEach((token, index) => {
    secrets.push(...tokenParts(token, index));
  });
  return secrets;
}

export function listCaptureFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

export function findLeaks(files: string[], secrets: Secret[]): Leak[] {
  const leaks: Leak[] = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    for (const secret of secrets) {
      const index = lines.findIndex((line) => line.includes(secret.value));
      if (index >= 0) leaks.push({ file, line: index + 1, secret: secret.label });
    }
  }
  return leaks;
}
