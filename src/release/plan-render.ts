import type { BuiltReleaseImage } from './execute-types.js';
import type { PlanDiff, TagChange } from './plan-diff.js';
import type { ReleasePlan } from './plan-types.js';

/**
 * Hex digits of a digest shown in the table: enough to tell digests apart
 * at a glance; the JSON keeps full digests.
 */
export const SHORT_DIGEST_HEX = 12;

const HEADERS = ['STEP', 'IMAGE', 'PLATFORMS', 'DESTINATION', 'TAG', 'CHANGE'];

/**
 * The plan as a table: one row per tag write, destinations in turn, images
 * in publication order; image and platforms on each image's first row. The
 * change column is filled when a diff is given.
 */
export function renderPlanTable(plan: ReleasePlan, diff?: PlanDiff): string {
  const changes = indexChanges(diff);
  const rows: string[][] = [];
  for (const destination of plan.destinations) {
    let previous: string | undefined;
    for (const write of destination.writes) {
      const first = write.image !== previous;
      previous = write.image;
      const change = changes.get(key(destination.name, write.tag));
      rows.push([
        String(write.step),
        first ? write.image : '',
        first ? plan.platforms.join(',') : '',
        destination.name,
        write.tag,
        change === undefined ? '' : describeChange(change),
      ]);
    }
  }

  const header = [
    `release ${plan.version.normalized} (${plan.version.scheme}` +
      `${plan.version.prerelease ? ', pre-release' : ''}) from ${plan.file}`,
    `order: ${plan.order.join(' → ')}`,
    ...plan.notes.map((note) => `note: ${note}`),
  ];
  const summary = diff === undefined ? [] : [summarise(diff)];
  return [...header, '', ...table([HEADERS, ...rows]), ...summary].join('\n');
}

/**
 * The text of one change, e.g. `moves sha256:0123456789ab… → sha256:…`; a
 * held tag reads `kept at X (holds newer V)`.
 */
export function describeChange(change: TagChange): string {
  switch (change.change) {
    case 'new':
      return `new → ${short(change.to)}`;
    case 'stays':
      return `stays at ${short(change.to)}`;
    case 'moves': {
      const moves = `moves ${short(change.from)} → ${short(change.to)}`;
      return change.newer === undefined
        ? moves
        : `${moves} (downgrade from ${change.newer})`;
    }
    case 'held':
      return `kept at ${short(change.from)} (holds newer ${change.newer ?? '?'})`;
  }
}

/**
 * The plan (with its diff and staged images, when known) as stable JSON:
 * fixed key order, two-space indent, full digests.
 */
export function planToJSON(
  plan: ReleasePlan,
  diff?: PlanDiff,
  images?: readonly BuiltReleaseImage[],
): string {
  const value = {
    plan,
    ...(images === undefined ? {} : { images }),
    ...(diff === undefined ? {} : { diff }),
  };
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The bottom line, as a plan of infrastructure changes ends. */
function summarise(diff: PlanDiff): string {
  const { counts } = diff;
  const held = counts.held === 0 ? '' : `, ${counts.held} held`;
  const moving = `${counts.moves} moving, ${counts.stays} staying`;
  return `\nplan: ${counts.new} new, ${moving}${held}`;
}

function indexChanges(diff: PlanDiff | undefined): Map<string, TagChange> {
  return new Map(
    (diff?.changes ?? []).map((change) => [key(change.destination, change.tag), change]),
  );
}

function key(destination: string, tag: string): string {
  return `${destination}\u0000${tag}`;
}

function short(digest: string | undefined): string {
  if (digest === undefined) return '?';
  const [algorithm, hex = ''] = digest.split(':');
  return `${algorithm}:${hex.slice(0, SHORT_DIGEST_HEX)}…`;
}

/** Left-aligned columns separated by two spaces, without trailing blanks. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) =>
    Math.max(...rows.map((row) => [...(row[column] ?? '')].length)),
  );
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
}
