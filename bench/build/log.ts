/** Progress lines of the benchmark go to stderr; the table goes to stdout. */
export function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}
