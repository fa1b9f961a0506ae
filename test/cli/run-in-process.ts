import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { captureText } from '../harness/cli.js';

/**
 * Runs `gantry` in this process through `main`, with stdin given as bytes,
 * for CLI tests that need src/ rather than the built dist/.
 */
export async function runInProcess(
  args: string[],
  stdin: string | Uint8Array = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const input = new PassThrough();
  input.end(stdin);
  const code = await main(args, { stdout, stderr, stdin: input, env: {} });
  const result = {
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
  captureText(`gantry ${args[0] ?? ''} in process`, `${result.stdout}\n${result.stderr}`);
  return result;
}
