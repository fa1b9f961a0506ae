import { ErrorCode, GantryError } from '../errors.js';
import type { ReleaseOutcome } from './execute.js';
import type { GitFacts } from './git.js';
import type { PlanInputs } from './plan.js';
import type { TagChangeKind } from './plan-diff.js';

/**
 * The release record: every tag in every destination with the digest it
 * now names and the digest it named before (what a later rollback puts
 * back), the order the tags were written in, what each destination had
 * to upload, and the timings. Plain JSON, stable key order.
 */

/** Written to the working folder unless `--record` names another file. */
export const DEFAULT_RECORD_FILE = 'gantry-release-record.json';

/**
 * Bumped when the record's shape changes incompatibly (rollback reads it).
 * Format 2 added `complete` and `inputs`; format 1 records are still read
 * (as complete, without inputs).
 */
export const RECORD_FORMAT = 2;

/** The earlier format that is still read. */
export const PREVIOUS_RECORD_FORMAT = 1;

/**
 * The plan inputs the release used, so that `gantry verify` plans the same
 * release whatever HEAD and the environment are later: the version as given
 * (re-parsed with the file's scheme) and normalised, the git facts tag
 * templates and `revision` read, SOURCE_DATE_EPOCH, and the `created` time
 * they gave.
 */
export interface RecordedInputs {
  version: { input: string; normalized: string };
  created?: string;
  sourceDateEpoch?: string;
  /** The current time, only when the release asked for it as `created`. */
  now?: string;
  git?: GitFacts;
}

export interface RecordedTag {
  destination: string;
  image: string;
  tag: string;
  /** What the tag names after the release; a `held` tag, the newer image. */
  digest: string;
  /** Absent when the release created the tag. */
  previous?: string;
  change: TagChangeKind;
  /** The newer version a `held` tag's image carries (or a downgrade's). */
  newer?: string;
  /** 1-based place among all tag writes of the release; absent when it stayed. */
  sequence?: number;
}

export interface ReleaseRecord {
  format: number;
  file: string;
  version: string;
  /**
   * False when the release was interrupted: `tags` then lists only the tags
   * it wrote (with their previous digests) and `images` only those built.
   * Absent (format 1, `--from-digests`) means complete.
   */
  complete?: boolean;
  /** Absent in format 1 records. */
  inputs?: RecordedInputs;
  /**
   * True when `release --from-digests` assembled the base image from
   * platform images built elsewhere: its configs and layers are what those
   * builds wrote, so verify checks only what the assembly did (the index,
   * its annotations, platforms and tags). Absent: the images were built
   * by this release (every record before this key, too).
   */
  fromDigests?: true;
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
    /** Both 0 when the release was interrupted (not measured then). */
    timings: { pushMs: number; tagMs: number };
  }[];
  /** Destinations as planned, then each one's tags in plan order. */
  tags: RecordedTag[];
  counts: Record<TagChangeKind, number>;
  timings: { startedAt: string; buildMs: number; compareMs: number; totalMs: number };
}

/** What the record keeps of the plan's inputs; `created` is the plan's. */
export function recordedInputs(
  inputs: PlanInputs,
  created: string | undefined,
): RecordedInputs {
  const { version, git, sourceDateEpoch, now } = inputs;
  return {
    version: { input: version.input, normalized: version.normalized },
    ...(created === undefined ? {} : { created }),
    ...(sourceDateEpoch === undefined ? {} : { sourceDateEpoch }),
    ...(now === undefined ? {} : { now: now.toISOString() }),
    ...(git === undefined ? {} : { git: { ...git } }),
  };
}

/** The record of a finished release; without `inputs`, none are kept. */
export function releaseRecord(
  outcome: ReleaseOutcome,
  inputs?: PlanInputs,
): ReleaseRecord {
  const digests = new Map(outcome.images.map((image) => [image.name, image.digest]));
  return {
    format: RECORD_FORMAT,
    file: outcome.plan.file,
    version: outcome.plan.version.normalized,
    complete: true,
    ...(inputs === undefined
      ? {}
      : { inputs: recordedInputs(inputs, outcome.plan.created) }),
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
          digest:
            change.change === 'held'
              ? change.from!
              : digests.get(change.image)!.toString(),
          ...(change.from === undefined ? {} : { previous: change.from }),
          ...(change.newer === undefined ? {} : { newer: change.newer }),
          change: change.change,
          ...(sequence === undefined ? {} : { sequence }),
        }),
      ),
    ),
    counts: { ...outcome.diff.counts },
    timings: outcome.timings,
  };
}

export function sumStats(
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
    // Whole or not at all: an earlier record in the file stays readable
    // until the new one replaces it, whatever stops this process. Loaded
    // here: the CLI reads this module's defaults at start-up.
    const { writeFileAtomic } = await import('../store/layout-files.js');
    await writeFileAtomic(path, Buffer.from(recordToJSON(record)));
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
