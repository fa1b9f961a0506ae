import { writeFile } from 'node:fs/promises';
import { ErrorCode, GantryError } from '../errors.js';
import type { ReleaseOutcome } from './execute.js';
import type { TagChangeKind } from './plan-diff.js';

/**
 * The release record: every tag in every destination with the digest it
 * now names and the digest it named before (what a later rollback puts
 * back), the order the tags were written in, what each destination had
 * to upload, and the timings. Plain JSON, stable key order.
 */

/** Written to the working folder unless `--record` names another file. */
export const DEFAULT_RECORD_FILE = 'gantry-release-record.json';

/** Bumped when the record's shape changes incompatibly (rollback reads it). */
export const RECORD_FORMAT = 1;

export interface RecordedTag {
  destination: string;
  image: string;
  tag: string;
  digest: string;
  /** Absent when the release created the tag. */
  previous?: string;
  change: TagChangeKind;
  /** 1-based place among all tag writes of the release; absent when it stayed. */
  sequence?: number;
}

export interface ReleaseRecord {
  format: number;
  file: string;
  version: string;
  /** Image names in publication order. */
  order: string[];
  images: {
    name: string;
    digest: string;
    mediaType: string;
    platforms: { platform: string; digest: string }[];
  }[];
  destinations: {
    name: string;
    kind: 'registry' | 'layout';
    uploaded: { blobs: number; bytes: number; mounted: number; skipped: number };
    timings: { pushMs: number; tagMs: number };
  }[];
  /** Destinations as planned, then each one's tags in plan order. */
  tags: RecordedTag[];
  counts: Record<TagChangeKind, number>;
  timings: { startedAt: string; buildMs: number; compareMs: number; totalMs: number };
}

export function releaseRecord(outcome: ReleaseOutcome): ReleaseRecord {
  const digests = new Map(outcome.images.map((image) => [image.name, image.digest]));
  return {
    format: RECORD_FORMAT,
    file: outcome.plan.file,
    version: outcome.plan.version.normalized,
    order: [...outcome.plan.order],
    images: outcome.images.map((image) => ({
      name: image.name,
      digest: image.digest.toString(),
      mediaType: image.mediaType,
      platforms: image.platforms.map(({ platform, digest }) => ({
        platform,
        digest: digest.toString(),
      })),
    })),
    destinations: outcome.destinations.map((destination) => ({
      name: destination.name,
      kind: destination.kind,
      uploaded: sumStats(destination.pushed.map((pushed) => pushed.stats)),
      timings: destination.timings,
    })),
    tags: outcome.destinations.flatMap((destination) =>
      destination.tags.map(
        ({ change, sequence }): RecordedTag => ({
          destination: change.destination,
          image: change.image,
          tag: change.tag,
          digest: digests.get(change.image)!.toString(),
          ...(change.from === undefined ? {} : { previous: change.from }),
          change: change.change,
          ...(sequence === undefined ? {} : { sequence }),
        }),
      ),
    ),
    counts: { ...outcome.diff.counts },
    timings: outcome.timings,
  };
}

function sumStats(
  stats: { uploaded: number; bytes: number; mounted: number; skipped: number }[],
): ReleaseRecord['destinations'][number]['uploaded'] {
  const total = { blobs: 0, bytes: 0, mounted: 0, skipped: 0 };
  for (const one of stats) {
    total.blobs += one.uploaded;
    total.bytes += one.bytes;
    total.mounted += one.mounted;
    total.skipped += one.skipped;
  }
  return total;
}

export function recordToJSON(record: ReleaseRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/** Writes the record; a failure names the file (the release itself is done). */
export async function writeRecord(path: string, record: ReleaseRecord): Promise<void> {
  try {
    await writeFile(path, recordToJSON(record));
  } catch (cause) {
    throw new GantryError(
      ErrorCode.ReleaseRecord,
      `the release is published but its record could not be written to ${path}`,
      {
        hint: 'check that the folder exists and is writable, or pass --record FILE',
        cause,
      },
    );
  }
}
