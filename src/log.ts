/**
 * The library never prints. Whatever it has to say goes to a Logger given by
 * the caller; the CLI decides what reaches the terminal. Text handed to a
 * logger has already been redacted by whoever wrote it (registry/redact.ts).
 */

export interface Logger {
  /**
   * False when debug lines go nowhere: writers then skip building them
   * (formatting and redacting a line per HTTP exchange costs CPU on every
   * request). Absent means on, so a logger written before this flag still
   * gets every line.
   */
  readonly debugEnabled?: boolean;
  /** Detail for `--debug`: one line per HTTP request and response, and so on. */
  debug(message: string): void;
  /** Something the user should know about that did not stop the operation. */
  warn(message: string): void;
}

/** The default: says nothing. */
export const silentLogger: Logger = Object.freeze({
  debugEnabled: false,
  debug(): void {},
  warn(): void {},
});

/** True when `logger` wants debug lines: build them only then. */
export function debugEnabled(logger: Logger): boolean {
  return logger.debugEnabled !== false;
}

/** A logger that keeps every line, for tests and for `--json` reports. */
export class MemoryLogger implements Logger {
  readonly lines: { level: 'debug' | 'warn'; message: string }[] = [];

  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }

  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }

  /** The messages of one level, in order. */
  messages(level: 'debug' | 'warn'): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
}
