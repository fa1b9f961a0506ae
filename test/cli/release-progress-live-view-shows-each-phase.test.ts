import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  type ProgressClock,
  ProgressView,
  REDRAW_INTERVAL_MS,
} from '../../src/cli/progress.js';
import { ReleaseProgress, watchRelease } from '../../src/cli/release-progress.js';
import type { CopyEvent } from '../../src/copy/types.js';
import { Digest } from '../../src/oci/digest.js';
import { parseReleaseFile } from '../../src/release/file.js';
import { planRelease } from '../../src/release/plan.js';
import type { TagChange } from '../../src/release/plan-diff.js';
import { parseVersion } from '../../src/release/version.js';
import { SMALL_RELEASE } from '../release/support.js';

/**
 * The terminal view of `gantry release`, driven by the events
 * `executeRelease` emits, on a fake terminal with a hand-moved clock: each
 * frame shows the phase (image N/M with each platform's state; the push of
 * one image to one destination with its blobs and bytes; the tags of a
 * destination so far; the read-back), and finished steps stay above the
 * view as plain lines. Nothing depends on real time.
 */

const MiB = 1024 * 1024;
const ERASE_DOWN = '\x1b[J';
const LAYER = Digest.parse(`sha256:${'1'.repeat(64)}`);
const INDEX = Digest.parse(`sha256:${'2'.repeat(64)}`);

class ManualClock implements ProgressClock {
  time = 1000;
  readonly waiting: (() => void)[] = [];
  now(): number {
    return this.time;
  }
  later(run: () => void): void {
    this.waiting.push(run);
  }
  /** Moves past the redraw interval and runs the pending redraw. */
  tick(): void {
    this.time += REDRAW_INTERVAL_MS;
    for (const run of this.waiting.splice(0)) run();
  }
}

/** A fake terminal: every write, and the frame the last redraw drew. */
function terminal() {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString('utf8'));
      done();
    },
  });
  // The view erases ("ESC [ n A", then "ESC [ J") before each frame.
  const frame = () => {
    const last = writes.at(-1)!;
    return last.slice(last.lastIndexOf(ERASE_DOWN) + ERASE_DOWN.length);
  };
  return { stream, writes, frame };
}

function setup() {
  const plan = planRelease(parseReleaseFile(SMALL_RELEASE), {
    version: parseVersion('1.4.2', 'semver'),
  });
  const clock = new ManualClock();
  const screen = terminal();
  const progress = new ReleaseProgress(plan, new ProgressView(screen.stream, clock));
  return { plan, clock, screen, progress };
}

describe('release live view', () => {
  it('shows each image being built, N of M, with each platform', () => {
    const { plan, clock, screen, progress } = setup();
    const [first, second] = [plan.order[0]!, plan.order[1]!];
    const platforms = ['linux/amd64', 'linux/arm64'];
    progress.onEvent({ type: 'building', image: first, number: 1, of: 3, platforms });
    assert.equal(
      screen.frame(),
      `building image 1/3: ${first}\n  linux/amd64  building\n  linux/arm64  building\n`,
    );

    progress.onEvent({ type: 'building', image: second, number: 2, of: 3, platforms });
    progress.onEvent({ type: 'platform-built', image: first, platform: 'linux/amd64' });
    clock.tick();
    assert.equal(
      screen.frame(),
      [
        `building image 1/3: ${first}`,
        '  linux/amd64  built',
        '  linux/arm64  building',
        `building image 2/3: ${second}`,
        '  linux/amd64  building',
        '  linux/arm64  building',
        '',
      ].join('\n'),
    );

    progress.onEvent({ type: 'built', image: first, digest: INDEX, platforms: 2 });
    const built = `${ERASE_DOWN}built ${first} ${INDEX} (2 platforms)\n`;
    assert.ok(
      screen.writes.some((text) => text.includes(built)),
      'a plain line stays',
    );
    assert.ok(
      !screen.writes.some((text) => text.includes(`${ERASE_DOWN}building ${first}`)),
      'the start of a build is in the view only',
    );
    assert.doesNotMatch(
      screen.frame(),
      new RegExp(`${first}\\n`),
      'a built image leaves',
    );
    assert.doesNotMatch(screen.frame(), /copying:|publishing/, 'nothing pushed yet');

    progress.onEvent({ type: 'built', image: second, digest: INDEX, platforms: 2 });
    clock.tick();
    assert.equal(
      screen.frame(),
      '',
      'between phases the view is empty, not a blank line',
    );
  });

  it('shows the pushes to all destinations side by side, blobs in flight', () => {
    const { plan, clock, screen, progress } = setup();
    const image = plan.order[0]!;
    const [one, two] = plan.destinations.map((destination) => destination.name);
    const copy = (destination: string, event: CopyEvent) =>
      progress.onEvent({ type: 'copy', destination, image, event });
    copy(one!, { type: 'blob-start', digest: LAYER, size: 2 * MiB });
    copy(two!, { type: 'blob-start', digest: LAYER, size: 2 * MiB });
    copy(one!, { type: 'blob-progress', digest: LAYER, size: 2 * MiB, done: MiB });
    copy(two!, { type: 'blob-done', digest: LAYER, size: 2 * MiB, how: 'uploaded' });
    copy(two!, { type: 'manifest', digest: INDEX, mediaType: 'index', size: 9 });
    clock.tick();

    const counts = (blobs: number, size: string, manifests: number) =>
      `${blobs} blobs (${size} uploaded), ${manifests} manifests`;
    const writes = (name: string) =>
      plan.destinations.find((destination) => destination.name === name)!.writes.length;
    assert.equal(
      screen.frame(),
      [
        'publishing to 2 destinations',
        `  ${one}  ${counts(0, '0 B', 0)}, 0/${writes(one!)} tags`,
        `  ${two}  ${counts(1, '2.0 MiB', 1)}, 0/${writes(two!)} tags`,
        '  sha256:111111111111  1.0 MiB / 2.0 MiB',
        'copying: 1 blobs, 3.0 MiB',
        '',
      ].join('\n'),
    );
  });

  it('counts tags per destination and keeps written tags as plain lines', () => {
    const { plan, clock, screen, progress } = setup();
    const destination = plan.destinations[1]!;
    const write = destination.writes[0]!;
    const change: TagChange = {
      destination: destination.name,
      image: write.image,
      tag: write.tag,
      change: 'new',
      to: `${INDEX}`,
    };
    progress.onEvent({ type: 'tagged', destination: destination.name, change });
    clock.tick();
    const tagLine = `tag ${destination.name}:${write.tag} new → `;
    assert.ok(
      screen.writes.some((text) => text.includes(`${ERASE_DOWN}${tagLine}`)),
      'the written tag is printed above the view',
    );
    const tags = `1/${destination.writes.length} tags`;
    const counted = `  ${destination.name}  0 blobs (0 B uploaded), 0 manifests, ${tags}`;
    assert.ok(screen.frame().split('\n').includes(counted), screen.frame());

    progress.verifying();
    clock.tick();
    assert.equal(screen.frame(), 'verifying: reading 2 destinations back\n');
    progress.stop();
    assert.equal(screen.writes.at(-1), '\x1b[1A\x1b[J', 'stop erases the view');
  });

  it('is drawn only on a terminal, outside CI and without --json', () => {
    const { plan } = setup();
    const built = {
      type: 'built' as const,
      image: plan.order[0]!,
      digest: INDEX,
      platforms: 2,
    };
    const cases = [
      { tty: true, json: false, env: {}, live: true },
      { tty: true, json: false, env: { CI: 'true' }, live: false },
      { tty: true, json: false, env: { CI: 'false' }, live: true },
      { tty: true, json: true, env: {}, live: false },
      { tty: false, json: false, env: {}, live: false },
    ];
    for (const { tty, json, env, live } of cases) {
      const screen = terminal();
      const stderr = Object.assign(screen.stream, { isTTY: tty });
      const io = { stdout: stderr, stderr, stdin: process.stdin, env };
      const watch = watchRelease({ io, json }, plan);
      watch.onEvent(built);
      watch.stop();
      const text = screen.writes.join('');
      assert.equal(text.includes(ERASE_DOWN), live, JSON.stringify({ tty, json, env }));
      assert.match(
        text,
        new RegExp(`built ${plan.order[0]} ${INDEX} \\(2 platforms\\)\\n`),
      );
    }
  });
});
