import { ErrorCode, GantryError } from '../errors.js';

/**
 * The global flags of `gantry`, as commander hands them over, and their
 * checks. Every command sees them through `optsWithGlobals()`.
 */
export interface GlobalOptions {
  debug?: boolean;
  json?: boolean;
  username?: string;
  passwordStdin?: boolean;
  caFile?: string[];
  insecureRegistry?: string[];
  plainHttp?: string[];
}

/** commander's collector for repeatable flags. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--ca-file REGISTRY=PEM` (repeatable) → registry → PEM file path. */
export function parseCaFiles(values: string[] = []): Record<string, string> {
  const files: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0 || eq === value.length - 1) {
      throw new GantryError(ErrorCode.Usage, `invalid --ca-file "${value}"`, {
        hint: 'write --ca-file REGISTRY=PATH, e.g. --ca-file localhost:5443=ca.pem',
      });
    }
    files[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return files;
}

export const USAGE_HINT = 'run `gantry --help` for the usage';

export function usageError(message: string, hint = USAGE_HINT): GantryError {
  return new GantryError(ErrorCode.Usage, message, { hint });
}
