import { parseDestination } from './execute-targets.js';
import { destinationKey } from './file-destinations.js';
import type { RecordedTag, ReleaseRecord } from './record.js';

/**
 * A re-run of a release must not lose what the earlier run's record knows.
 * A tag that an earlier run of the same release (same file and version)
 * wrote now `stays` at that digest, so the new run alone would record no
 * previous digest and a rollback could restore nothing. The merge carries
 * the earlier run's change and previous digest over for such tags, and
 * keeps the earlier record as it is when the new run changed nothing, both
 * are complete and both name the same destinations.
 *
 * Only writes to destinations this run publishes to are carried over: the
 * same file and version sent elsewhere (`--to`) is another release, and a
 * rollback of this run's record must never touch a destination it did not.
 */

export interface MergedRecord {
  record: ReleaseRecord;
  /** False when the earlier record stays as it was: nothing is written. */
  replace: boolean;
}

export function mergeRecords(
  earlier: ReleaseRecord | undefined,
  next: ReleaseRecord,
): MergedRecord {
  if (earlier === undefined || !sameRelease(earlier, next)) {
    return { record: next, replace: true };
  }
  const ours = destinationsOf(next);
  const changed = next.tags.some(isWrite);
  const complete = earlier.complete !== false && next.complete !== false;
  const same = sameSet(destinationsOf(earlier), ours) && agrees(earlier, next);
  if (!changed && complete && same) {
    return { record: earlier, replace: false };
  }

  const written = new Map<string, RecordedTag>();
  for (const tag of earlier.tags) {
    if (isWrite(tag) && ours.has(sameDestination(tag.destination))) {
      written.set(keyOf(tag), tag);
    }
  }
  const tags = next.tags.map((tag) => carried(tag, written.get(keyOf(tag))));
  if (next.complete === false) {
    // An interrupted run lists only what it reached: earlier writes stay known.
    const reached = new Set(tags.map(keyOf));
    for (const [key, tag] of written) if (!reached.has(key)) tags.push(tag);
  }
  return { record: { ...next, tags }, replace: true };
}

/**
 * Whether the earlier record still says what this run found: every tag at
 * the same digest, and held where this run found it held. A tag another
 * release has moved since (an older version run again finds `latest`
 * held at a newer image) makes the earlier record stale, so it is not kept.
 */
function agrees(earlier: ReleaseRecord, next: ReleaseRecord): boolean {
  const before = new Map(earlier.tags.map((tag) => [keyOf(tag), tag]));
  return next.tags.every((tag) => {
    const old = before.get(keyOf(tag));
    if (old === undefined || old.digest !== tag.digest) return false;
    return (old.change === 'held') === (tag.change === 'held');
  });
}

/** Only `new` and `moves` are writes; other kinds leave the tag alone. */
function isWrite(tag: RecordedTag): boolean {
  return tag.change === 'new' || tag.change === 'moves';
}

function sameRelease(a: ReleaseRecord, b: ReleaseRecord): boolean {
  return a.file === b.file && a.version === b.version;
}

/**
 * Every destination a record names: an interrupted run lists all it
 * planned in `destinations`, even those it wrote no tag to.
 */
function destinationsOf(record: ReleaseRecord): Set<string> {
  const names = new Set(record.destinations.map((d) => sameDestination(d.name)));
  for (const tag of record.tags) names.add(sameDestination(tag.destination));
  return names;
}

/**
 * One key per destination however a run spelled it (`oci:./out`, `oci:out/`,
 * the absolute path), as the release file's own duplicate check keys them.
 */
function sameDestination(name: string): string {
  try {
    return destinationKey(parseDestination(name));
  } catch {
    // A name no destination parses from (a record edited by hand) is itself.
    return name;
  }
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((name) => b.has(name));
}

function keyOf(tag: RecordedTag): string {
  return `${sameDestination(tag.destination)}\n${tag.tag}`;
}

/**
 * The earlier write, when this run found the tag where that write left it.
 * Its sequence belongs to the earlier run's numbering, so it is dropped.
 */
function carried(tag: RecordedTag, before: RecordedTag | undefined): RecordedTag {
  if (tag.change !== 'stays' || before === undefined) return tag;
  if (before.digest !== tag.digest) return tag;
  const { previous: _previous, sequence: _sequence, ...rest } = tag;
  return {
    ...rest,
    change: before.change,
    ...(before.previous === undefined ? {} : { previous: before.previous }),
  };
}
