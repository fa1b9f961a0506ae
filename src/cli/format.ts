/**
 * Small text formatters shared by the commands' human output. Human output
 * is for eyes only: scripts use `--json`, whose numbers are exact bytes.
 */

/** IEC units: registries and the image-spec count sizes in bytes, base 2. */
const SIZE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;
const SIZE_STEP = 1024;

/** `1536` → `1.5 KiB`; bytes below one KiB are shown exactly. */
export function humanSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= SIZE_STEP && unit < SIZE_UNITS.length - 1) {
    value /= SIZE_STEP;
    unit += 1;
  }
  if (unit === 0) return `${bytes} B`;
  const rounded = value >= 100 ? value.toFixed(0) : value.toFixed(1);
  return `${rounded} ${SIZE_UNITS[unit]}`;
}

/** Indents every line of `lines` by `depth` steps of two spaces. */
export function indent(lines: string[], depth: number): string[] {
  const pad = '  '.repeat(depth);
  return lines.map((line) => `${pad}${line}`);
}

/** `1 failure`, `2 failures`: a count and its noun, singular for one. */
export function counted(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}
