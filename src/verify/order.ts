import type { ReleasePlan } from '../release/plan-types.js';
import type { ReleaseRecord } from '../release/record.js';
import { CheckId, type Findings } from './types.js';

/**
 * Publication order: the record's image order is the plan's, and in each
 * destination the tags were written image by image in that order (the
 * record's `sequence`), so the image a registry page shows on top is the
 * one planned last. Tags that stayed have no sequence and are skipped.
 */
export function checkOrder(
  findings: Findings,
  record: ReleaseRecord,
  plan: ReleasePlan | undefined,
): void {
  const order = plan?.order ?? record.order;
  if (plan !== undefined) {
    findings.check(plan.order.join(',') === record.order.join(','), () => ({
      check: CheckId.Order,
      destination: record.file,
      expected: plan.order.join(' → '),
      actual: record.order.join(' → '),
      message:
        `${record.file}: image order: expected ${plan.order.join(' → ')}, ` +
        `got ${record.order.join(' → ')}`,
    }));
  }

  const destinations = [...new Set(record.tags.map((tag) => tag.destination))];
  for (const destination of destinations) {
    const written = record.tags
      .filter((tag) => tag.destination === destination && tag.sequence !== undefined)
      .sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
    const late = written.findIndex(
      (tag, i) => i > 0 && rank(order, tag.image) < rank(order, written[i - 1]!.image),
    );
    const tag = written[late];
    const before = written[late - 1];
    findings.check(late < 0, () => ({
      check: CheckId.Order,
      destination,
      ...(tag === undefined ? {} : { tag: tag.tag }),
      expected: order.join(' → '),
      actual: written
        .map((t) => t.image)
        .filter(unique)
        .join(' → '),
      message:
        `${destination}:${tag?.tag}: written after ${before?.tag} ` +
        `(image ${before?.image}), but the plan publishes ${tag?.image} first: ` +
        `expected ${order.join(' → ')}`,
    }));
  }
}

function rank(order: string[], image: string): number {
  const at = order.indexOf(image);
  return at < 0 ? order.length : at;
}

function unique(value: string, index: number, all: string[]): boolean {
  return all.indexOf(value) === index;
}
