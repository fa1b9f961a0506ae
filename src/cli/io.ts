import type { Readable, Writable } from 'node:stream';

/**
 * Where a command reads and writes. `main` binds it to the process streams;
 * keeping it explicit lets every writer be swapped in one place. Data goes to
 * stdout, messages to stderr (DESIGN.md, "The library never prints").
 */
export interface CliIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable;
  env: NodeJS.ProcessEnv;
}

/** Global flags every command sees. */
export interface GlobalFlags {
  json: boolean;
  debug: boolean;
}

export function processIO(): CliIO {
  // A reader that stops early (`gantry tags REPO | head -1`) closes the pipe:
  // that ends the output, it is not a failure worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  };
}

/** Writes one line of text data to stdout. */
export function writeLine(io: CliIO, line: string): void {
  io.stdout.write(`${line}\n`);
}

/** Writes a message for the user (never data) to stderr. */
export function writeMessage(io: CliIO, line: string): void {
  io.stderr.write(`${line}\n`);
}

/** Writes a JSON document to stdout, two-space indented, one trailing newline. */
export function writeJson(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
