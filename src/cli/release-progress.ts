import type { CopyEvent } from '../copy/types.js';
import type { ReleaseEvent } from '../release/execute-types.js';
import type { ReleasePlan } from '../release/plan-types.js';
import type { CommandContext } from './context.js';
import { counted, humanSize } from './format.js';
import { writeMessage } from './io.js';
import { ProgressView } from './progress.js';
import { progressLine } from './release-report.js';

/**
 * What `gantry release` shows while it runs. On a terminal, a live view
 * of what is under way (each image being built, N of M, with its
 * platforms; each destination's blobs, bytes, manifests and tags so far,
 * with the blobs in flight; the read-back check) under the lines of the
 * steps already done. Elsewhere (a pipe, CI, `--json`) one plain line per
 * step, which logs keep readable.
 */

export interface ReleaseWatch {
  onEvent(event: ReleaseEvent): void;
  /** The release is written; its read-back check starts. */
  verifying(): void;
  stop(): void;
}

/** Any CI service sets CI; a log there is read later, not watched live. */
function inCI(env: NodeJS.ProcessEnv): boolean {
  return env.CI !== undefined && env.CI !== '' && env.CI !== 'false';
}

export function watchRelease(
  context: Pick<CommandContext, 'io' | 'json'>,
  plan: ReleasePlan,
): ReleaseWatch {
  const { io, json } = context;
  if (io.stderr.isTTY === true && !json && !inCI(io.env)) {
    return new ReleaseProgress(plan, new ProgressView(io.stderr));
  }
  return {
    onEvent: (event) => {
      const line = progressLine(event);
      if (line !== undefined) writeMessage(io, line);
    },
    verifying: () => {
      const count = plan.destinations.length;
      writeMessage(io, `verifying: reading ${counted(count, 'destination')} back`);
    },
    stop: () => {},
  };
}

/** One destination's publication as the view counts it. */
interface DestinationState {
  blobs: number;
  bytes: number;
  manifests: number;
  tags: number;
}

/**
 * The live view; `view` draws it (tests give it a fake stream and clock).
 * Images build several at once and destinations are published side by
 * side, so the view keeps a state per image and per destination and draws
 * whatever is under way.
 */
export class ReleaseProgress implements ReleaseWatch {
  readonly #plan: ReleasePlan;
  readonly #view: ProgressView;
  readonly #building = new Map<
    string,
    { step: string; platforms: string[]; done: string[] }
  >();
  readonly #destinations = new Map<string, DestinationState>();
  #verifying = false;

  constructor(plan: ReleasePlan, view: ProgressView) {
    this.#plan = plan;
    this.#view = view;
  }

  onEvent(event: ReleaseEvent): void {
    switch (event.type) {
      case 'building': {
        const { platforms } = event;
        this.#building.set(event.image, {
          step: `${event.number}/${event.of}`,
          platforms,
          done: [],
        });
        break;
      }
      case 'platform-built':
        this.#building.get(event.image)?.done.push(event.platform);
        break;
      case 'built':
        this.#building.delete(event.image);
        break;
      case 'copy':
        this.#copy(event.destination, event.event);
        break;
      case 'tagged':
      case 'stays':
        this.#destination(event.destination).tags += 1;
        break;
    }
    this.#view.heading(this.#heading());
    // Finished steps stay above the view; a build's start is in it.
    const line = event.type === 'building' ? undefined : progressLine(event);
    if (line !== undefined) this.#view.message(line);
  }

  verifying(): void {
    this.#verifying = true;
    this.#view.restart();
    this.#view.heading(this.#heading());
  }

  stop(): void {
    this.#view.close();
  }

  #copy(name: string, event: CopyEvent): void {
    const destination = this.#destination(name);
    // The same blob may be in flight to two destinations at once.
    const key = (digest: unknown) => `${digest} ${name}`;
    if (event.type === 'blob-start') this.#view.start(key(event.digest), event.size);
    else if (event.type === 'blob-progress') {
      this.#view.progress(key(event.digest), event.done);
    } else if (event.type === 'blob-done') {
      this.#view.finish(key(event.digest), event.size);
      destination.blobs += 1;
      if (event.how === 'uploaded') destination.bytes += event.size;
    } else if (event.type === 'manifest') destination.manifests += 1;
    else if (event.type === 'warning')
      this.#view.message(`gantry: warning: ${event.message}`);
  }

  #destination(name: string): DestinationState {
    let state = this.#destinations.get(name);
    if (state === undefined) {
      state = { blobs: 0, bytes: 0, manifests: 0, tags: 0 };
      this.#destinations.set(name, state);
    }
    return state;
  }

  #heading(): string[] {
    if (this.#verifying) {
      return [
        `verifying: reading ${counted(this.#plan.destinations.length, 'destination')}` +
          ' back',
      ];
    }
    const lines: string[] = [];
    for (const [image, { step, platforms, done }] of this.#building) {
      lines.push(`building image ${step}: ${image}`);
      for (const platform of platforms) {
        lines.push(`  ${platform}  ${done.includes(platform) ? 'built' : 'building'}`);
      }
    }
    if (this.#destinations.size > 0) {
      lines.push(
        `publishing to ${counted(this.#plan.destinations.length, 'destination')}`,
      );
    }
    for (const planned of this.#plan.destinations) {
      const state = this.#destinations.get(planned.name);
      if (state === undefined) continue;
      const tags = `${state.tags}/${planned.writes.length} tags`;
      const content =
        `${state.blobs} blobs (${humanSize(state.bytes)} uploaded), ` +
        `${state.manifests} manifests`;
      lines.push(`  ${planned.name}  ${content}, ${tags}`);
    }
    return lines;
  }
}
