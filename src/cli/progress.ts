import type { Writable } from 'node:stream';
import { humanSize } from './format.js';

/**
 * The live view of a copy on a terminal: one line per blob in flight with
 * the bytes moved so far, and a total line. Redrawn in place with ANSI
 * escapes (ECMA-48: CUU "ESC [ n A" moves the cursor up, ED "ESC [ J"
 * erases to the end of the screen), at most once per REDRAW_INTERVAL_MS.
 * The CLI shows it only when stderr is a TTY and `--json` is off.
 */

/** Fast enough to look live, slow enough not to flood a slow terminal. */
export const REDRAW_INTERVAL_MS = 100;
/** Lines for blobs in flight; more are summed up in one line. */
export const MAX_BLOB_LINES = 8;
/** `sha256:` plus this many hex digits names a blob on screen. */
const SHORT_DIGEST_HEX = 12;

const CURSOR_UP = (lines: number) => `\x1b[${lines}A`;
const ERASE_DOWN = '\x1b[J';

export interface ProgressClock {
  now(): number;
  /** Calls `run` once after `ms`; must not keep the process alive. */
  later(run: () => void, ms: number): void;
}

const SYSTEM_CLOCK: ProgressClock = {
  now: () => Date.now(),
  later: (run, ms) => {
    setTimeout(run, ms).unref();
  },
};

interface BlobLine {
  digest: string;
  size: number;
  done: number;
}

export class ProgressView {
  readonly #out: Writable;
  readonly #clock: ProgressClock;
  readonly #inFlight = new Map<string, BlobLine>();
  #total = 0;
  #moved = 0;
  #finished = 0;
  #blobs = 0;
  #drawnLines = 0;
  #lastDraw = Number.NEGATIVE_INFINITY;
  #pending = false;
  #closed = false;
  /** Set by `heading`: a release's view, which shows no idle blob total. */
  #heading: string[] | undefined;

  constructor(out: Writable, clock: ProgressClock = SYSTEM_CLOCK) {
    this.#out = out;
    this.#clock = clock;
  }

  /** Adds what a copy plans to move (one plan per image): blobs and bytes. */
  plan(blobs: number, bytes: number): void {
    this.#blobs += blobs;
    this.#total += bytes;
    this.#request();
  }

  start(digest: string, size: number): void {
    this.#inFlight.set(digest, { digest, size, done: 0 });
    this.#request();
  }

  /** `done`: bytes of this blob moved so far (not a delta). */
  progress(digest: string, done: number): void {
    const line = this.#inFlight.get(digest);
    if (line === undefined) return;
    this.#moved += Math.max(0, done - line.done);
    line.done = Math.max(line.done, done);
    this.#request();
  }

  /** The blob is at the destination, however it got there. */
  finish(digest: string, size: number): void {
    const line = this.#inFlight.get(digest);
    this.#moved += Math.max(0, size - (line?.done ?? 0));
    this.#inFlight.delete(digest);
    this.#finished += 1;
    this.#request();
  }

  /**
   * Lines drawn above the blobs (a release's phase), replacing the last
   * ones. Once headed, the blob total is left out while no blob is counted.
   */
  heading(lines: string[]): void {
    this.#heading = lines;
    this.#request();
  }

  /** Forgets the blobs counted so far: a release's next push starts at zero. */
  restart(): void {
    this.#inFlight.clear();
    this.#total = 0;
    this.#moved = 0;
    this.#finished = 0;
    this.#blobs = 0;
    this.#request();
  }

  /** Writes a line of text above the view (a warning), then redraws. */
  message(line: string): void {
    this.#out.write(`${this.#erase()}${line}\n`);
    this.#lastDraw = Number.NEGATIVE_INFINITY;
    this.#request();
  }

  /** Erases the view; nothing is drawn after this. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#out.write(this.#erase());
  }

  /** The lines a redraw writes now, for tests and for `#draw`. */
  lines(): string[] {
    const lines: string[] = [...(this.#heading ?? [])];
    const counting = this.#blobs > 0 || this.#finished > 0 || this.#inFlight.size > 0;
    if (this.#heading !== undefined && !counting) return lines;
    const shown = [...this.#inFlight.values()].slice(0, MAX_BLOB_LINES);
    for (const blob of shown) {
      const name = blob.digest.slice(0, blob.digest.indexOf(':') + 1 + SHORT_DIGEST_HEX);
      lines.push(`  ${name}  ${humanSize(blob.done)} / ${humanSize(blob.size)}`);
    }
    const hidden = this.#inFlight.size - shown.length;
    if (hidden > 0) lines.push(`  ... ${hidden} more in flight`);
    const blobs =
      this.#blobs > 0 ? `${this.#finished}/${this.#blobs}` : `${this.#finished}`;
    const total = this.#total > 0 ? ` / ${humanSize(this.#total)}` : '';
    lines.push(`copying: ${blobs} blobs, ${humanSize(this.#moved)}${total}`);
    return lines;
  }

  /** Draws now when the last draw is old enough, else once, later. */
  #request(): void {
    if (this.#closed || this.#pending) return;
    const wait = this.#lastDraw + REDRAW_INTERVAL_MS - this.#clock.now();
    if (wait <= 0) {
      this.#draw();
      return;
    }
    this.#pending = true;
    this.#clock.later(() => {
      this.#pending = false;
      if (!this.#closed) this.#draw();
    }, wait);
  }

  #draw(): void {
    const lines = this.lines();
    // Nothing under way (a release between phases): the view is just erased.
    const text = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
    this.#out.write(`${this.#erase()}${text}`);
    this.#drawnLines = lines.length;
    this.#lastDraw = this.#clock.now();
  }

  #erase(): string {
    const up = this.#drawnLines > 0 ? CURSOR_UP(this.#drawnLines) : '';
    this.#drawnLines = 0;
    return `${up}${ERASE_DOWN}`;
  }
}
