import { SHORT_DIGEST_HEX } from './plan-render.js';
import type { RollbackPlan, RollbackStep } from './rollback-types.js';

/** The rollback plan as a table: one row per tag, in execution order. */
export function renderRollbackTable(plan: RollbackPlan): string {
  const rows = plan.steps.map((step) => [
    step.sequence === undefined ? '-' : String(step.sequence),
    step.destination,
    step.tag,
    step.action,
    describe(step),
  ]);
  const header = ['#', 'DESTINATION', 'TAG', 'ACTION', 'DETAIL'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  const { counts } = plan;
  const summary =
    `rollback of ${plan.version} (${plan.record}): ${counts.restore} restore, ` +
    `${counts.remove} remove, ${counts.keep} keep, ${counts.changed} changed since, ` +
    `${counts.done} done, ${counts.untouched} untouched`;
  return [line(header), ...rows.map(line), '', summary].join('\n');
}

function describe(step: RollbackStep): string {
  switch (step.action) {
    case 'restore':
      return `${short(step.current)} → ${short(step.target)}`;
    case 'remove':
      return step.removal === 'tag'
        ? `drop its index.json entry (${short(step.target)}'s blobs stay)`
        : `delete ${short(step.target)} by digest (takes the tag)`;
    case 'keep':
    case 'changed':
      return step.reason ?? '';
    case 'done':
      return step.current === undefined ? 'already gone' : `at ${short(step.current)}`;
    case 'untouched':
      return 'the release left it';
  }
}

function short(digest: string | undefined): string {
  if (digest === undefined) return '(none)';
  const [algorithm, hex = ''] = digest.split(':');
  return `${algorithm}:${hex.slice(0, SHORT_DIGEST_HEX)}`;
}

export function rollbackToJSON(plan: RollbackPlan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
