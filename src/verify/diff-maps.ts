/** Differences between two string maps (annotations, labels). */
export interface MapDiff {
  added: Record<string, string>;
  removed: Record<string, string>;
  changed: Record<string, { a: string; b: string }>;
}

export interface FieldChange {
  field: string;
  a: unknown;
  b: unknown;
}

export function diffMaps(
  a: Record<string, string> = {},
  b: Record<string, string> = {},
): MapDiff {
  const diff: MapDiff = { added: {}, removed: {}, changed: {} };
  for (const key of Object.keys(a).sort()) {
    const value = a[key]!;
    if (!(key in b)) diff.removed[key] = value;
    else if (b[key] !== value) diff.changed[key] = { a: value, b: b[key]! };
  }
  for (const key of Object.keys(b).sort()) {
    if (!(key in a)) diff.added[key] = b[key]!;
  }
  return diff;
}

export function isEmptyMapDiff(diff: MapDiff): boolean {
  return (
    Object.keys(diff.added).length === 0 &&
    Object.keys(diff.removed).length === 0 &&
    Object.keys(diff.changed).length === 0
  );
}

/** Fields compared as JSON, so arrays and objects compare by value. */
export function diffFields(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  fields: readonly string[],
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of fields) {
    if (JSON.stringify(a[field]) !== JSON.stringify(b[field])) {
      changes.push({ field, a: a[field] ?? null, b: b[field] ?? null });
    }
  }
  return changes;
}
