import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordedTag, ReleaseRecord } from '../../src/release/record.js';
import {
  type DestinationState,
  decideRollback,
  type TagRemoval,
} from '../../src/release/rollback-decide.js';

/**
 * The pure rollback decisions: a moved tag goes back, a created tag is
 * removed only when no tag outside the removal names its digest after the
 * restores (a layout removes the one tag whatever shares its digest), a
 * tag someone moved since is left, a re-run is done, and stayed tags are
 * untouched.
 */
const OLD = `sha256:${'a'.repeat(64)}`;
const NEW = `sha256:${'b'.repeat(64)}`;
const OTHER = `sha256:${'c'.repeat(64)}`;
const REPO = 'registry.example/app';

function tag(
  name: string,
  change: RecordedTag['change'],
  sequence?: number,
): RecordedTag {
  return {
    destination: REPO,
    image: 'base',
    tag: name,
    digest: NEW,
    ...(change === 'moves' || change === 'stays'
      ? { previous: change === 'stays' ? NEW : OLD }
      : {}),
    change,
    ...(sequence === undefined ? {} : { sequence }),
  };
}

function record(tags: RecordedTag[]): ReleaseRecord {
  return { format: 1, version: '1.1.0', tags } as unknown as ReleaseRecord;
}

function decide(
  tags: RecordedTag[],
  now: Record<string, string>,
  removal: TagRemoval = 'digest',
) {
  const states = new Map<string, DestinationState>([
    [REPO, { removal, tags: new Map(Object.entries(now)) }],
  ]);
  const plan = decideRollback(record(tags), 'r.json', states);
  return Object.fromEntries(plan.steps.map((step) => [step.tag, step]));
}

describe('rollback decisions', () => {
  it('restores moved tags and removes created ones sharing one digest', () => {
    const steps = decide([tag('1.1', 'new', 1), tag('1', 'moves', 2)], {
      '1.1': NEW,
      '1': NEW,
      '1.0': OLD,
    });
    assert.equal(steps['1']!.action, 'restore');
    assert.equal(steps['1']!.target, OLD);
    assert.equal(steps['1.1']!.action, 'remove');
    assert.equal(steps['1.1']!.target, NEW);
  });

  it('keeps a created tag whose digest another tag still names', () => {
    const steps = decide([tag('1.1', 'new', 1)], { '1.1': NEW, edge: NEW });
    assert.equal(steps['1.1']!.action, 'keep');
    assert.match(steps['1.1']!.reason!, /would also remove edge/);
  });

  it('keeps a created tag a stayed tag of the release shares', () => {
    const steps = decide([tag('1.1', 'new', 1), tag('stable', 'stays')], {
      '1.1': NEW,
      stable: NEW,
    });
    assert.equal(steps['1.1']!.action, 'keep');
    assert.equal(steps.stable!.action, 'untouched');
  });

  it('leaves a tag moved since, and finds a re-run done', () => {
    const steps = decide([tag('1', 'moves', 1), tag('1.1', 'new', 2)], { '1': OTHER });
    assert.equal(steps['1']!.action, 'changed');
    assert.match(steps['1']!.reason!, /names sha256:c+/);
    assert.equal(steps['1.1']!.action, 'done');
    const again = decide([tag('1', 'moves', 1)], { '1': OLD });
    assert.equal(again['1']!.action, 'done');
  });

  it('keeps created tags in a destination that cannot remove tags', () => {
    const steps = decide([tag('1.1', 'new', 1)], { '1.1': NEW }, 'none');
    assert.equal(steps['1.1']!.action, 'keep');
    assert.match(steps['1.1']!.reason!, /cannot remove a tag/);
  });

  it('removes a layout tag alone, whatever other tags share its digest', () => {
    const steps = decide([tag('1.1', 'new', 1)], { '1.1': NEW, edge: NEW }, 'tag');
    assert.equal(steps['1.1']!.action, 'remove');
    assert.equal(steps['1.1']!.removal, 'tag');
    assert.equal(steps['1.1']!.target, NEW);
  });
});
