import { resolve } from 'node:path';
import { ErrorCode, GantryError } from '../errors.js';
import type { Destination } from './file-types.js';

/**
 * Two destinations that are one place: the same registry repository (names
 * are compared after parsing, so `docker.io/library/x` and `x` meet), or
 * the same layout folder however its path is written (`oci:out`,
 * `oci:./out/`). Publishing twice into one place would plan every tag twice
 * and race the writes against each other.
 */

/** What makes a destination one place; two destinations with one key collide. */
export function destinationKey(destination: Destination): string {
  return destination.kind === 'registry'
    ? `registry ${destination.repository}`
    : `layout ${resolve(destination.path)}`;
}

/** The first destination that repeats an earlier one, with that earlier one. */
export function repeatedDestination(
  destinations: readonly Destination[],
): { first: Destination; again: Destination; index: number } | undefined {
  const seen = new Map<string, Destination>();
  for (const [index, destination] of destinations.entries()) {
    const key = destinationKey(destination);
    const first = seen.get(key);
    if (first !== undefined) return { first, again: destination, index };
    seen.set(key, destination);
  }
  return undefined;
}

/** Refuses `--to` values that name one place twice. */
export function assertDistinctDestinations(destinations: readonly Destination[]): void {
  const repeated = repeatedDestination(destinations);
  if (repeated === undefined) return;
  throw new GantryError(ErrorCode.Usage, `--to ${describeRepeat(repeated)}`, {
    hint: 'give each destination once',
  });
}

/** How a repeat is told: `x is listed twice`, or `y is the same place as x`. */
export function describeRepeat(repeated: {
  first: Destination;
  again: Destination;
}): string {
  const { first, again } = repeated;
  return first.name === again.name
    ? `${again.name} is listed twice`
    : `${again.name} is the same place as ${first.name}`;
}
