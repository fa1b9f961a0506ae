import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReleasePlan } from '../../src/release/plan-types.js';
import type { RecordedTag, ReleaseRecord } from '../../src/release/record.js';
import { checkOrder } from '../../src/verify/order.js';
import { Findings } from '../../src/verify/types.js';

/**
 * Publication order from the record alone: tags written image by image in
 * the planned order pass; a base written before a variant fails in that
 * destination only; a record whose image order is not the plan's fails.
 * Tags that stayed (no sequence) are not ordered.
 */

const ORDER = ['alpine', 'base'];

function tag(destination: string, image: string, sequence?: number): RecordedTag {
  return {
    destination,
    image,
    tag: `${image}-${sequence ?? 'stays'}`,
    digest: 'sha256:0',
    change: sequence === undefined ? 'stays' : 'new',
    ...(sequence === undefined ? {} : { sequence }),
  };
}

function record(tags: RecordedTag[], order = ORDER): ReleaseRecord {
  return { file: 'release.yaml', order, tags } as unknown as ReleaseRecord;
}

function check(recorded: ReleaseRecord, plan?: Pick<ReleasePlan, 'order'>) {
  const findings = new Findings();
  checkOrder(findings, recorded, plan as ReleasePlan | undefined);
  return findings.report();
}

describe('publication order check', () => {
  it('passes tags written in the planned order, ignoring tags that stayed', () => {
    const report = check(
      record([tag('a', 'base'), tag('a', 'alpine', 1), tag('a', 'base', 2)]),
    );
    assert.equal(report.ok, true);
    assert.equal(report.checks, 1);
  });

  it('names the destination and the tag written too early', () => {
    const report = check(
      record([
        tag('a', 'alpine', 1),
        tag('a', 'base', 2),
        tag('b', 'base', 3),
        tag('b', 'alpine', 4),
      ]),
    );
    assert.deepEqual(
      report.failures.map((f) => [f.destination, f.tag, f.actual]),
      [['b', 'alpine-4', 'base → alpine']],
    );
    assert.match(report.failures[0]!.message, /^b:alpine-4: written after base-3/);
  });

  it('fails a record whose image order is not the plan order', () => {
    const report = check(record([], ['base', 'alpine']), { order: ORDER });
    assert.deepEqual(
      report.failures.map((f) => [f.check, f.expected, f.actual]),
      [['order', 'alpine → base', 'base → alpine']],
    );
  });
});
