import { ErrorCode, GantryError, isGantryError } from '../errors.js';
import { exitCodeFor } from './exit.js';
import type { CliIO } from './io.js';

/** Replaces every known secret in a text; identity when none are known. */
export type Redactor = (text: string) => string;

const NO_REDACTION: Redactor = (text) => text;

/**
 * Turns anything thrown by a command into a GantryError: errors from the
 * library already are; anything else is an internal error, whose message
 * is kept (it is about gantry, not about the user's secrets) and redacted.
 */
export function asGantryError(error: unknown): GantryError {
  if (isGantryError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new GantryError(ErrorCode.Internal, `internal error: ${message}`, {
    hint: 'this is a bug in gantry; run again with --debug and report the output',
    cause: error,
  });
}

/**
 * Prints an error on stderr and returns the exit code.
 *
 * Text form: `gantry: error CODE: message`, then `hint: ...`; with `--json`
 * one JSON object `{"error": {...}}`. A stack only with `--debug`.
 */
export function reportError(
  io: CliIO,
  thrown: unknown,
  options: { json: boolean; debug: boolean; redact?: Redactor },
): number {
  const error = asGantryError(thrown);
  const redact = options.redact ?? NO_REDACTION;

  if (options.json) {
    io.stderr.write(`${redact(JSON.stringify({ error: error.toJSON() }))}\n`);
  } else {
    io.stderr.write(redact(`gantry: error ${error.code}: ${error.message}\n`));
    if (error.hint !== undefined) io.stderr.write(redact(`hint: ${error.hint}\n`));
  }

  if (options.debug) {
    const cause = error.cause instanceof Error ? error.cause : error;
    io.stderr.write(redact(`${cause.stack ?? String(cause)}\n`));
  }
  return exitCodeFor(error);
}
