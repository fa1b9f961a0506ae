import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { captureFilePath } from './capture.js';
import { captureText, runGantry } from './cli.js';

test('runGantry returns the exit code and output and captures both streams', async () => {
  const result = await runGantry(['--version']);
  assert.equal(typeof result.code, 'number');
  assert.ok(result.stdout.length + result.stderr.length > 0, 'the CLI printed nothing');
  const captured = readFileSync(captureFilePath(), 'utf8');
  assert.ok(captured.includes(result.stdout));
  assert.ok(captured.includes(result.stderr));
  assert.match(captured, /### gantry \(run \d+\) exit \d+ stdout/);
});

test('captureText appends labelled text to this process capture file', () => {
  const marker = `marker-${process.pid}-${Date.now()}`;
  captureText('library text', marker);
  assert.match(
    readFileSync(captureFilePath(), 'utf8'),
    new RegExp(`### library text\\n${marker}`),
  );
});
