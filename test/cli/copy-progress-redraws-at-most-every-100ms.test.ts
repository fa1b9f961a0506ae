import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  MAX_BLOB_LINES,
  type ProgressClock,
  ProgressView,
  REDRAW_INTERVAL_MS,
} from '../../src/cli/progress.js';

/**
 * The terminal view of `gantry copy`: a line per blob in flight and a total,
 * redrawn in place no more often than every REDRAW_INTERVAL_MS. Driven by a
 * hand-moved clock, so no assertion depends on real time.
 */

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const MiB = 1024 * 1024;

class ManualClock implements ProgressClock {
  time = 1000;
  readonly waiting: { run: () => void; ms: number }[] = [];
  now(): number {
    return this.time;
  }
  later(run: () => void, ms: number): void {
    this.waiting.push({ run, ms });
  }
  /** Moves time on by `ms` and runs what was waiting. */
  advance(ms: number): void {
    this.time += ms;
    for (const entry of this.waiting.splice(0)) entry.run();
  }
}

function sink(): { stream: Writable; writes: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, writes };
}

describe('copy progress view', () => {
  it('draws the first event at once and coalesces the next ones into one redraw', () => {
    const clock = new ManualClock();
    const { stream, writes } = sink();
    const view = new ProgressView(stream, clock);

    view.plan(2, 3 * MiB);
    assert.equal(writes.length, 1);

    view.start(A, 2 * MiB);
    view.progress(A, MiB);
    view.start(B, MiB);
    assert.equal(writes.length, 1, 'no redraw within the interval');
    assert.equal(clock.waiting.length, 1, 'exactly one redraw is scheduled');
    assert.equal(clock.waiting[0]!.ms, REDRAW_INTERVAL_MS);

    clock.advance(REDRAW_INTERVAL_MS);
    assert.equal(writes.length, 2);
    assert.match(writes[1]!, /sha256:aaaaaaaaaaaa {2}1\.0 MiB \/ 2\.0 MiB/);
    assert.match(writes[1]!, /sha256:bbbbbbbbbbbb {2}0 B \/ 1\.0 MiB/);
    assert.match(writes[1]!, /copying: 0\/2 blobs, 1\.0 MiB \/ 3\.0 MiB\n$/);
  });

  it('moves the cursor up over the lines it drew before drawing again', () => {
    const clock = new ManualClock();
    const { stream, writes } = sink();
    const view = new ProgressView(stream, clock);

    view.start(A, MiB);
    clock.advance(REDRAW_INTERVAL_MS);
    view.finish(A, MiB);

    assert.equal(writes.length, 2);
    // Two lines were drawn (blob A and the total): up two, erase, redraw.
    assert.ok(writes[1]!.startsWith('\x1b[2A\x1b[J'), JSON.stringify(writes[1]));
    assert.doesNotMatch(writes[1]!, /aaaaaaaa/, 'a finished blob leaves the view');
    assert.match(writes[1]!, /copying: 1 blobs, 1\.0 MiB\n$/);
  });

  it('counts a blob that arrived without progress (mounted, skipped) at its size', () => {
    const view = new ProgressView(sink().stream, new ManualClock());
    view.plan(2, 3 * MiB);
    view.start(A, 2 * MiB);
    view.progress(A, MiB);
    view.finish(A, 2 * MiB);
    view.finish(B, MiB);
    assert.deepEqual(view.lines(), ['copying: 2/2 blobs, 3.0 MiB / 3.0 MiB']);
  });

  it(`shows at most ${MAX_BLOB_LINES} blob lines and sums up the rest`, () => {
    const view = new ProgressView(sink().stream, new ManualClock());
    for (let i = 0; i < MAX_BLOB_LINES + 3; i++) {
      view.start(`sha256:${i.toString(16).padStart(64, '0')}`, 10);
    }
    const lines = view.lines();
    assert.equal(lines.length, MAX_BLOB_LINES + 2);
    assert.equal(lines[MAX_BLOB_LINES], '  ... 3 more in flight');
  });

  it('erases itself on close and never draws after', () => {
    const clock = new ManualClock();
    const { stream, writes } = sink();
    const view = new ProgressView(stream, clock);

    view.start(A, MiB);
    view.progress(A, 10);
    view.close();
    clock.advance(REDRAW_INTERVAL_MS);
    view.progress(A, 20);

    assert.equal(writes.length, 2);
    assert.equal(writes[1], '\x1b[2A\x1b[J');
  });
});
