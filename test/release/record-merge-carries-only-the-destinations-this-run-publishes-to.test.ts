import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordedTag, ReleaseRecord } from '../../src/release/record.js';
import { mergeRecords } from '../../src/release/record-merge.js';

/**
 * The same file and version released to other destinations (`--to`) is
 * another release: its writes never enter this run's record, and its
 * complete record is not kept in place of this run's when nothing changed.
 * Writes of the earlier run to a destination this run shares still carry.
 */

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;
const HERE = 'localhost:5000/here/app';
const THERE = 'localhost:5000/there/app';
const LAYOUT = 'oci:./out';

function tag(
  destination: string,
  name: string,
  fields: Partial<RecordedTag>,
): RecordedTag {
  return {
    destination,
    image: 'app',
    tag: name,
    digest: C,
    change: 'stays',
    ...fields,
  };
}

function record(
  destinations: string[],
  tags: RecordedTag[],
  complete = true,
): ReleaseRecord {
  return {
    format: 2,
    file: 'release.yaml',
    version: '1.0.0',
    complete,
    order: ['app'],
    images: [],
    destinations: destinations.map((name) => ({
      name,
      kind: name.startsWith('oci:') ? 'layout' : 'registry',
      uploaded: { blobs: 0, bytes: 0, mounted: 0, skipped: 0 },
      timings: { pushMs: 0, tagMs: 0 },
    })),
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

/** A complete release of 1.0.0 to THERE and LAYOUT. */
const elsewhere = record(
  [THERE, LAYOUT],
  [THERE, LAYOUT].flatMap((destination) => [
    tag(destination, '1.0.0', { change: 'new', sequence: 1 }),
    tag(destination, 'latest', { change: 'moves', previous: B, sequence: 2 }),
  ]),
);

describe('mergeRecords across destinations', () => {
  it('adds no tag of another destination to an interrupted run', () => {
    const interrupted = record(
      [HERE],
      [tag(HERE, '1.0.0', { change: 'new', sequence: 1 })],
      false,
    );
    const merged = mergeRecords(elsewhere, interrupted);
    assert.equal(merged.replace, true);
    assert.deepEqual(merged.record.tags, interrupted.tags);
  });

  it('replaces, not keeps, a complete record of other destinations', () => {
    const repeat = record(
      [HERE],
      [tag(HERE, '1.0.0', { previous: C }), tag(HERE, 'latest', { previous: C })],
    );
    assert.deepEqual(mergeRecords(elsewhere, repeat), { record: repeat, replace: true });
  });

  it('keeps a complete record of the same destinations when nothing changed', () => {
    const repeat = record(
      [THERE, LAYOUT],
      elsewhere.tags.map((t) => tag(t.destination, t.tag, { previous: C })),
    );
    const merged = mergeRecords(elsewhere, repeat);
    assert.equal(merged.replace, false);
    assert.equal(merged.record, elsewhere);
  });

  it('carries the writes to a shared destination only', () => {
    const interrupted = record(
      [THERE, LAYOUT],
      [
        tag(THERE, 'latest', { change: 'moves', previous: A, sequence: 1 }),
        tag(LAYOUT, 'latest', { change: 'moves', previous: B, sequence: 2 }),
      ],
      false,
    );
    const rerun = record(
      [THERE],
      [tag(THERE, 'latest', { previous: C }), tag(THERE, '1', { change: 'new' })],
    );
    const merged = mergeRecords(interrupted, rerun);
    assert.deepEqual(merged.record.tags, [
      tag(THERE, 'latest', { change: 'moves', previous: A }),
      tag(THERE, '1', { change: 'new' }),
    ]);

    const second = record(
      [THERE],
      [tag(THERE, '1', { change: 'new', sequence: 1 })],
      false,
    );
    assert.deepEqual(
      mergeRecords(interrupted, second).record.tags.map((t) => [t.destination, t.tag]),
      [
        [THERE, '1'],
        [THERE, 'latest'],
      ],
    );
  });

  it('takes oci:./out, oci:out and oci:out/ for one layout', () => {
    const interrupted = record(
      [LAYOUT],
      [tag(LAYOUT, '1.0.0', { change: 'new', sequence: 1 })],
      false,
    );
    const rerun = record(['oci:out/'], [tag('oci:out/', '1.0.0', {})]);
    assert.deepEqual(mergeRecords(interrupted, rerun).record.tags, [
      tag('oci:out/', '1.0.0', { change: 'new' }),
    ]);
    const same = record(['oci:out'], [tag('oci:out', '1.0.0', { change: 'new' })]);
    const again = record([LAYOUT], [tag(LAYOUT, '1.0.0', {})]);
    assert.equal(mergeRecords(same, again).replace, false);
  });
});
