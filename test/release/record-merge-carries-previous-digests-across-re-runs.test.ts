import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordedTag, ReleaseRecord } from '../../src/release/record.js';
import { mergeRecords } from '../../src/release/record-merge.js';

/**
 * The merge of a release's record with the one its file already holds: a
 * re-run keeps the previous digests rollback needs, a run that changed
 * nothing keeps a complete record, another release replaces it.
 */

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;
const REPO = 'localhost:5000/tool';

function tag(name: string, fields: Partial<RecordedTag>): RecordedTag {
  return {
    destination: REPO,
    image: 'tool',
    tag: name,
    digest: C,
    change: 'stays',
    ...fields,
  };
}

function record(version: string, tags: RecordedTag[], complete = true): ReleaseRecord {
  return {
    format: 2,
    file: 'release.yaml',
    version,
    complete,
    order: ['tool'],
    images: [],
    destinations: [],
    tags,
    counts: { new: 0, moves: 0, stays: 0 } as ReleaseRecord['counts'],
    timings: {
      startedAt: '2026-01-01T00:00:00.000Z',
      buildMs: 0,
      compareMs: 0,
      totalMs: 0,
    },
  };
}

describe('mergeRecords', () => {
  it('carries the earlier write over a tag that now stays at its digest', () => {
    const interrupted = record(
      '1.2.0',
      [
        tag('1', { change: 'moves', previous: B, sequence: 1 }),
        tag('1.2.0', { change: 'new', sequence: 2 }),
      ],
      false,
    );
    const rerun = record('1.2.0', [
      tag('1', { previous: C }),
      tag('1.2.0', { previous: C }),
      tag('latest', { change: 'moves', previous: B, sequence: 1 }),
    ]);
    const merged = mergeRecords(interrupted, rerun);
    assert.equal(merged.replace, true);
    assert.deepEqual(merged.record.tags, [
      tag('1', { change: 'moves', previous: B }),
      tag('1.2.0', { change: 'new' }),
      tag('latest', { change: 'moves', previous: B, sequence: 1 }),
    ]);
  });

  it('does not carry a write someone undid: the tag stays at another digest', () => {
    const earlier = record('1.2.0', [
      tag('1', { change: 'moves', previous: B, digest: A }),
    ]);
    const rerun = record('1.2.0', [
      tag('1', { previous: C }),
      tag('2', { change: 'new' }),
    ]);
    assert.deepEqual(mergeRecords(earlier, rerun).record.tags, rerun.tags);
  });

  it('keeps a complete record of the same release when every tag stays', () => {
    const earlier = record('1.2.0', [tag('1', { change: 'moves', previous: B })]);
    const rerun = record('1.2.0', [tag('1', { previous: C })]);
    const merged = mergeRecords(earlier, rerun);
    assert.equal(merged.replace, false);
    assert.equal(merged.record, earlier);
  });

  it('replaces a complete record a newer release has made stale (a tag now held)', () => {
    const earlier = record('1.0.0', [
      tag('1.0.0', { change: 'new' }),
      tag('latest', { change: 'new' }),
    ]);
    // 2.0.0 has moved latest since: running 1.0.0 again finds it held at A.
    const again = record('1.0.0', [
      tag('1.0.0', { previous: C }),
      tag('latest', { change: 'held', digest: A, previous: A, newer: '2.0.0' }),
    ]);
    const merged = mergeRecords(earlier, again);
    assert.equal(merged.replace, true);
    assert.deepEqual(merged.record.tags, [
      tag('1.0.0', { change: 'new' }),
      tag('latest', { change: 'held', digest: A, previous: A, newer: '2.0.0' }),
    ]);
  });

  it('replaces an incomplete record even when every tag stays', () => {
    const earlier = record('1.2.0', [tag('1', { change: 'new', sequence: 1 })], false);
    const rerun = record('1.2.0', [tag('1', { previous: C })]);
    const merged = mergeRecords(earlier, rerun);
    assert.equal(merged.replace, true);
    assert.equal(merged.record.complete, true);
    assert.deepEqual(merged.record.tags, [tag('1', { change: 'new' })]);
  });

  it('keeps earlier writes a second interrupted run did not reach', () => {
    const first = record(
      '1.2.0',
      [tag('1', { change: 'moves', previous: B, sequence: 1 })],
      false,
    );
    const second = record('1.2.0', [tag('2', { change: 'new', sequence: 1 })], false);
    const tags = mergeRecords(first, second).record.tags;
    assert.deepEqual(
      tags.map((t) => [t.tag, t.change, t.previous]),
      [
        ['2', 'new', undefined],
        ['1', 'moves', B],
      ],
    );
  });

  it('replaces the record of another version or another file, or no record', () => {
    const earlier = record('1.1.0', [tag('1', { change: 'moves', previous: B })]);
    const next = record('1.2.0', [tag('1', { previous: C })]);
    assert.deepEqual(mergeRecords(earlier, next), { record: next, replace: true });
    const otherFile = { ...record('1.2.0', earlier.tags), file: 'other.yaml' };
    assert.deepEqual(mergeRecords(otherFile, next), { record: next, replace: true });
    assert.deepEqual(mergeRecords(undefined, next), { record: next, replace: true });
  });
});
