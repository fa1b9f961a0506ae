import type { Readable } from 'node:stream';

/**
 * A source stream opened before the upload asks for it, to save a round
 * trip: handed out once, for offset 0; else ended unread by `discard`.
 */
export class EarlySource {
  readonly #opening: Promise<Readable>;
  #taken = false;

  constructor(opening: Promise<Readable>) {
    this.#opening = opening;
    // Its failure is reported by whoever takes it, or not at all.
    opening.catch(() => undefined);
  }

  take(offset: number): Promise<Readable> | undefined {
    if (this.#taken || offset !== 0) return undefined;
    this.#taken = true;
    return this.#opening;
  }

  /**
   * Ends the stream when nobody took it. One chunk is asked for first: the
   * streams under it start only when read, and only a started one passes
   * its end on to the connection below.
   */
  async discard(): Promise<void> {
    if (this.#taken) return;
    this.#taken = true;
    const stream = await this.#opening.catch(() => undefined);
    if (stream === undefined) return;
    try {
      for await (const _ of stream) break;
    } catch {
      // Nobody wants these bytes, nor their failure.
    }
  }
}
