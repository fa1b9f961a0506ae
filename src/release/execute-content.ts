import { copyBlob } from '../copy/blobs.js';
import { onSide, throwIfAborted } from '../copy/errors.js';
import { createLimit, settleAll } from '../copy/limit.js';
import type { PlannedManifest } from '../copy/plan.js';
import type { BlobTransfer, CopyEvent, CopyStats } from '../copy/types.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { WriteTarget } from '../store/target.js';
import type { StagedImage } from './execute-pipeline.js';
import { openDestination } from './execute-targets.js';
import type { ExecuteOptions, PushedImage } from './execute-types.js';
import type { PlannedDestination } from './plan-types.js';

/**
 * One destination's content for a whole release, untagged, pushed image by
 * image as each one is staged, while later images still build: an image's
 * blobs at once, then its manifests, children before parents. A blob or
 * manifest that several images share (a base layer) is sent once; an image
 * that needs one another image is sending waits for that transfer. Nothing
 * here writes a tag, so whatever fails or is interrupted, no tag reaches
 * missing content.
 */

/**
 * Blob transfers and manifest writes in flight per destination. Pushing is
 * bound by registry round trips, not by this process's CPU: eight keeps a
 * registry busy while each request waits on the network, and the two
 * destinations of a release together stay at sixteen, well below the
 * bursts hosted registries throttle (dozens per client).
 */
export const DESTINATION_PUSH_CONCURRENCY = 8;

/** What every destination's pushes share: the run, its stop and tag look-ups. */
export interface ContentRun {
  options: ExecuteOptions;
  signal: AbortSignal;
  /**
   * Digests the destination's planned tags name now. It answers only once
   * every destination's tags were read: one that cannot be read stops the
   * release before anything is written anywhere.
   */
  held(destination: string): Promise<ReadonlySet<string>>;
  /** Stops the release at the first failure. */
  fail(error: unknown): void;
}

/** What a destination's content came to, once every image was pushed. */
export interface PushedContent {
  target: WriteTarget;
  /** In the order asked for (the plan's). */
  pushed: PushedImage[];
  /** From its first content request to its last, beside the builds. */
  pushMs: number;
}

export class DestinationContent {
  readonly #destination: PlannedDestination;
  readonly #run: ContentRun;
  readonly #limit = createLimit(DESTINATION_PUSH_CONCURRENCY);
  readonly #blobs = new Map<string, Promise<void>>();
  readonly #manifests = new Map<string, Promise<void>>();
  readonly #pushes: Promise<void>[] = [];
  readonly #stats = new Map<string, CopyStats>();
  #target: Promise<WriteTarget> | undefined;
  #startedAt: number | undefined;

  constructor(destination: PlannedDestination, run: ContentRun) {
    this.#destination = destination;
    this.#run = run;
  }

  /** Starts pushing an image as soon as its copy is planned. */
  add(staged: Promise<StagedImage>): void {
    this.#startedAt ??= Date.now();
    const push = staged.then((image) => this.#push(image));
    push.catch((error: unknown) => this.#run.fail(error));
    this.#pushes.push(push);
  }

  /** Waits for every image added; the first failure is thrown. */
  async finish(images: readonly string[]): Promise<PushedContent> {
    await settleAll(this.#pushes);
    const target = await this.#open();
    const pushed = images.map((image) => ({ image, stats: this.#stats.get(image)! }));
    return { target, pushed, pushMs: Date.now() - (this.#startedAt ?? Date.now()) };
  }

  /** Waits for every push started, failed or not, and closes the destination. */
  async close(): Promise<void> {
    await Promise.allSettled(this.#pushes);
    const target = await this.#target?.catch(() => undefined);
    await target?.close?.();
  }

  /**
   * An image whose index a tag in the destination names already (what the
   * planned tags name now) is complete: the registry took that index only
   * after its children, and they only after their blobs. It is asked
   * nothing more.
   */
  async #push(image: StagedImage): Promise<void> {
    const stats = emptyStats(image);
    this.#stats.set(image.image, stats);
    const held = await this.#run.held(this.#destination.name);
    throwIfAborted(this.#run.signal);
    if (held.has(`${image.result.root.digest}`)) {
      stats.skipped = image.plan.blobs.length;
    } else {
      const target = await this.#open();
      const blobs = image.plan.blobs.map((blob) =>
        this.#blob(target, image, blob, stats),
      );
      await settleAll(blobs);
      for (const node of image.plan.manifests) {
        await this.#manifest(target, image, node, stats);
      }
    }
    const destination = this.#destination.name;
    this.#run.options.onEvent?.({
      type: 'pushed',
      destination,
      image: image.image,
      stats,
    });
  }

  /** Each distinct blob once, counted for the first image that asks for it. */
  #blob(
    target: WriteTarget,
    image: StagedImage,
    blob: Descriptor,
    stats: CopyStats,
  ): Promise<void> {
    const key = `${blob.digest}`;
    const sent = this.#blobs.get(key);
    if (sent !== undefined) {
      stats.skipped++;
      return sent;
    }
    const signal = this.#run.signal;
    const transfer = this.#limit(async () => {
      throwIfAborted(signal);
      const context = {
        source: image.result.staging,
        destination: target,
        signal,
        emit: (event: CopyEvent) => this.#emit(image.image, event),
        // No planned tag names this image here yet (#push), so its configs
        // and attestation statements are new: up without a HEAD each.
        uploadSmallUnasked: true,
      };
      const how: BlobTransfer = await copyBlob(context, blob);
      stats[how]++;
      if (how === 'uploaded') stats.bytes += blob.size;
    });
    this.#blobs.set(key, transfer);
    return transfer;
  }

  /** A manifest after its blobs and children; one two images share, once. */
  async #manifest(
    target: WriteTarget,
    image: StagedImage,
    node: PlannedManifest,
    stats: CopyStats,
  ): Promise<void> {
    const { descriptor } = node;
    const key = `${descriptor.digest}`;
    let write = this.#manifests.get(key);
    if (write === undefined) {
      write = this.#limit(async () => {
        throwIfAborted(this.#run.signal);
        await onSide('destination', descriptor.digest, () =>
          target.push(descriptor, node.manifest.bytes),
        );
      });
      this.#manifests.set(key, write);
    }
    await write;
    stats.manifests++;
    const { digest, mediaType, size } = descriptor;
    this.#emit(image.image, { type: 'manifest', digest, mediaType, size });
  }

  /** Opened (a layout folder made) at the first write, not before. */
  #open(): Promise<WriteTarget> {
    this.#target ??= openDestination(this.#destination, this.#run.options.client);
    return this.#target;
  }

  #emit(image: string, event: CopyEvent): void {
    const destination = this.#destination.name;
    this.#run.options.onEvent?.({ type: 'copy', destination, image, event });
  }
}

function emptyStats(image: StagedImage): CopyStats {
  const counts = { uploaded: 0, mounted: 0, skipped: 0, bytes: 0, manifests: 0 };
  return { blobs: image.plan.blobs.length, ...counts, referrers: image.plan.referrers };
}
