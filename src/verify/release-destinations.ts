import { parseDestination } from '../release/execute-targets.js';
import { destinationKey } from '../release/file-destinations.js';
import type { RecordedTag, ReleaseRecord } from '../release/record.js';

/**
 * The record as seen from other destinations (`verify --to`): the tags to
 * check in exactly those places, each with the digest the release gave it.
 * A destination the record names keeps its own entries, write order
 * included. One it never wrote (a copy, a mirror) is expected to hold the
 * release's tags and digests, which are the same in every destination, but
 * it has no write order of the release's own: its entries carry no
 * `sequence`, so the order check passes it by.
 */
export function recordAt(
  record: ReleaseRecord,
  destinations: readonly string[],
): ReleaseRecord {
  const named = recordedDestinations(record);
  const expected = releaseTags(record);
  const tags = destinations.flatMap((name): RecordedTag[] => {
    const own = named.get(keyOf(name));
    if (own === undefined) return expected.map((tag) => ({ ...tag, destination: name }));
    return record.tags
      .filter((tag) => tag.destination === own)
      .map((tag) => ({ ...tag, destination: name }));
  });
  return { ...record, tags };
}

/** The record's destinations by the place they are, each as the record names it. */
function recordedDestinations(record: ReleaseRecord): Map<string, string> {
  const names = [
    ...record.destinations.map((destination) => destination.name),
    ...record.tags.map((tag) => tag.destination),
  ];
  const byKey = new Map<string, string>();
  for (const name of names) {
    const key = keyOf(name);
    if (!byKey.has(key)) byKey.set(key, name);
  }
  return byKey;
}

/**
 * Every tag of the release once, as the first destination that has it
 * recorded it, without what belongs to that destination alone: the digest
 * it named before and its place among the writes.
 */
function releaseTags(record: ReleaseRecord): RecordedTag[] {
  const byTag = new Map<string, RecordedTag>();
  for (const tag of record.tags) {
    if (byTag.has(tag.tag)) continue;
    const { destination, image, digest, change, newer } = tag;
    const shared = { destination, image, tag: tag.tag, digest, change };
    byTag.set(tag.tag, newer === undefined ? shared : { ...shared, newer });
  }
  return [...byTag.values()];
}

/** One place however it is written (`oci:out`, `oci:./out/`). */
function keyOf(name: string): string {
  return destinationKey(parseDestination(name));
}
