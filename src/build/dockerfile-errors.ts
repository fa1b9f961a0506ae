import { ErrorCode, GantryError } from '../errors.js';

/**
 * Errors about a Dockerfile always say which file and line they concern,
 * in the form editors jump to (`Dockerfile:12`).
 */

export interface SourcePosition {
  file: string;
  line: number;
}

export function where(position: SourcePosition): string {
  return `${position.file}:${position.line}`;
}

/** Something the Dockerfile says that is wrong: exit 2, like other bad input. */
export function dockerfileError(
  position: SourcePosition,
  message: string,
  hint?: string,
): GantryError {
  return new GantryError(ErrorCode.BuildInput, `${where(position)}: ${message}`, {
    ...(hint === undefined ? {} : { hint }),
    details: { file: position.file, line: position.line },
  });
}

/** Valid Dockerfile that gantry's subset does not cover. */
export function dockerfileUnsupported(
  position: SourcePosition,
  message: string,
  hint: string,
): GantryError {
  return new GantryError(ErrorCode.Unsupported, `${where(position)}: ${message}`, {
    hint,
    details: { file: position.file, line: position.line },
  });
}
