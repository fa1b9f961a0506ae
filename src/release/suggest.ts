/**
 * "Did you mean" for misspelt keys and values: the closest candidate by
 * edit distance, when it is close enough to be a plausible typo.
 */

/** At most this share of a word may differ for a suggestion to be made. */
const MAX_DISTANCE_SHARE = 0.4;

/** Short words still get a suggestion for one or two wrong letters. */
const MIN_DISTANCE_ALLOWED = 2;

export function closestName(
  word: string,
  candidates: readonly string[],
): string | undefined {
  const allowed = Math.max(
    MIN_DISTANCE_ALLOWED,
    Math.floor(word.length * MAX_DISTANCE_SHARE),
  );
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (distance <= allowed && (best === undefined || distance < best.distance)) {
      best = { name, distance };
    }
  }
  return best?.name;
}

/** Levenshtein distance: insertions, deletions and substitutions cost one. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
