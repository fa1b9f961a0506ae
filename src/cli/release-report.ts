import type { ReleaseEvent, ReleaseOutcome } from '../release/execute.js';
import type { PlanDiff } from '../release/plan-diff.js';
import { describeChange } from '../release/plan-render.js';
import type { ReleasePlan } from '../release/plan-types.js';
import type { ReleaseRecord } from '../release/record.js';
import { counted, humanSize } from './format.js';

/**
 * What `gantry release` shows: one progress line per step on stderr, and
 * a summary table (image, its platforms by name, tags, digest) on stdout
 * at the end.
 */

const SUMMARY_HEADERS = ['IMAGE', 'PLATFORMS', 'TAGS', 'DIGEST'];

/** The line an event shows on a plain stream; none for the fine-grained ones. */
export function progressLine(event: ReleaseEvent): string | undefined {
  switch (event.type) {
    case 'building': {
      const platforms = event.platforms.join(', ');
      return `building ${event.image} (image ${event.number}/${event.of}: ${platforms})`;
    }
    case 'platform-built':
    case 'copy':
      return undefined;
    case 'built':
      return (
        `built ${event.image} ${event.digest} ` +
        `(${counted(event.platforms, 'platform')})`
      );
    case 'pushed': {
      const { stats } = event;
      return (
        `pushed ${event.image} to ${event.destination}: ${stats.uploaded} uploaded ` +
        `(${humanSize(stats.bytes)}), ${stats.mounted} mounted, ${stats.skipped} present`
      );
    }
    case 'tagged': {
      const { change } = event;
      return `tag ${event.destination}:${change.tag} ${describeChange(change)}`;
    }
    case 'stays': {
      const { change } = event;
      const what = change.change === 'held' ? describeChange(change) : 'stays';
      return `tag ${event.destination}:${change.tag} ${what}`;
    }
  }
}

/** One row per image in publication order; then the change counts. */
export function summaryTable(outcome: ReleaseOutcome): string {
  const destinations = outcome.destinations.map((destination) => destination.name);
  return summaryOf(outcome.plan, outcome.images, outcome.diff.counts, destinations);
}

/** The same table from a record, as `release --from-digests` has no outcome. */
export function recordSummaryTable(plan: ReleasePlan, record: ReleaseRecord): string {
  const destinations = record.destinations.map((destination) => destination.name);
  return summaryOf(plan, record.images, record.counts, destinations);
}

function summaryOf(
  plan: ReleasePlan,
  images: readonly SummaryImage[],
  counts: PlanDiff['counts'],
  destinations: string[],
): string {
  const tagsByImage = new Map(plan.images.map((image) => [image.name, image.tags]));
  const rows = images.map((image) => [
    image.name,
    image.platforms.map((built) => built.platform).join(','),
    (tagsByImage.get(image.name) ?? []).join(','),
    image.digest.toString(),
  ]);
  return [
    ...columns([SUMMARY_HEADERS, ...rows]),
    '',
    `${counted(destinations.length, 'destination')} (${destinations.join(', ')}): ` +
      `${counts.new} new, ${counts.moves} moved, ${counts.stays} stayed` +
      (counts.held === 0 ? '' : `, ${counts.held} held (a newer release holds them)`),
  ].join('\n');
}

/** An image as built (digests as values) or as recorded (as text). */
interface SummaryImage {
  name: string;
  platforms: readonly { platform: string }[];
  digest: { toString(): string };
}

/** Left-aligned columns two spaces apart, no trailing blanks. */
function columns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
}
