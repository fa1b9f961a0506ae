import { ErrorCode, type ErrorSide, GantryError, isGantryError } from '../errors.js';
import type { Digest } from '../oci/digest.js';

/**
 * Copy errors name the side that failed and the descriptor involved. An
 * error that already names a side keeps it: a source stream that breaks
 * inside a destination upload is still the source's failure.
 */
export function sided(error: unknown, side: ErrorSide, digest?: Digest): GantryError {
  if (isGantryError(error) && error.side !== undefined) return error;
  if (isAbort(error)) return aborted(error);

  const base = isGantryError(error)
    ? error
    : new GantryError(ErrorCode.Internal, messageOf(error), { cause: error });
  const where = digest === undefined ? '' : `${digest}: `;
  const detail = digest === undefined ? {} : { digest: digest.toString() };
  return new GantryError(base.code, `${side}: ${where}${base.message}`, {
    ...(base.hint === undefined ? {} : { hint: base.hint }),
    side,
    cause: base.cause ?? error,
    details: { ...base.details, ...detail },
  });
}

/** Runs `step`, naming `side` and `digest` in whatever it throws. */
export async function onSide<T>(
  side: ErrorSide,
  digest: Digest | undefined,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw sided(error, side, digest);
  }
}

export function aborted(cause?: unknown): GantryError {
  if (isGantryError(cause, ErrorCode.Aborted)) return cause;
  return new GantryError(ErrorCode.Aborted, 'copy aborted', {
    hint: 'run the copy again: it continues where it stopped',
    cause,
  });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw aborted(signal.reason);
}

function isAbort(error: unknown): boolean {
  if (isGantryError(error, ErrorCode.Aborted)) return true;
  return error instanceof Error && error.name === 'AbortError';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
