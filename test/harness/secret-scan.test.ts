import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { collectSecrets, findLeaks, listCaptureFiles } from './secret-scan.js';

test('findLeaks names file, line and label of a secret, never its value', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-scan-test-'));
  try {
    writeFileSync(join(dir, 'clean.log'), 'nothing here\n');
    writeFileSync(join(dir, 'leaky.log'), 'line one\nAuthorization: Basic c2VjcmV0\n');
    const secrets = [{ label: 'planted', value: 'c2VjcmV0' }];
    const leaks = findLeaks(listCaptureFiles(dir), secrets);
    assert.deepEqual(leaks, [
      { file: join(dir, 'leaky.log'), line: 2, secret: 'planted' },
    ]);
    assert.ok(!JSON.stringify(leaks).includes('c2VjcmV0'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('collectSecrets includes passwords and their Basic encodings', () => {
  const secrets = collectSecrets({ alice: 'alice-secret-1', bob: 'bob-secret-2' });
  const values = secrets.map((s) => s.value);
  assert.ok(values.includes('alice-secret-1') && values.includes('bob-secret-2'));
  assert.ok(values.includes(Buffer.from('alice:alice-secret-1').toString('base64')));
  assert.ok(secrets.every((s) => !s.label.includes(s.value)));
});
