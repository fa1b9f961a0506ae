import { Readable } from 'node:stream';
import type { Descriptor } from '../oci/descriptor.js';
import { isImageLayerType } from '../oci/mediatype.js';
import { RegistryError } from '../registry/registry-error.js';
import { RegistryTarget } from '../store/registry-target.js';
import type { ReadTarget, WriteTarget } from '../store/target.js';
import { EarlySource } from './early-source.js';
import { aborted, onSide, sided } from './errors.js';
import type { BlobTransfer, CopyEvent } from './types.js';

/**
 * One blob, source to destination, moving only what must move: nothing
 * when the destination has it (after `exists`), a cross-repository mount
 * within one registry, else a stream from the source piped into the
 * destination (a small blob read whole and sent in one request), never a
 * large blob whole in memory and never recompressed (BR-13: the bytes are
 * the bytes). A registry destination re-opens the source at the offset
 * the registry holds when an upload breaks off.
 */

/**
 * Progress events come at most once per this many bytes of a blob: often
 * enough for a progress bar, rare enough not to flood a host's callback.
 */
export const PROGRESS_STEP_BYTES = 1024 * 1024;

export interface BlobContext {
  source: ReadTarget;
  destination: WriteTarget;
  signal: AbortSignal;
  emit: (event: CopyEvent) => void;
  /**
   * Whether a small blob that is not an image layer (a config, an
   * attestation statement) from a source that is not a registry goes up
   * without asking the registry first whether it has it. Such blobs of an
   * image no destination tag names yet are almost always new (the config
   * holds the image's version, the statement its subject), so asking
   * costs a round trip per blob and saves nothing: the upload of at most
   * SMALL_BLOB_BYTES takes two round trips, the question one, and a
   * registry takes a blob it already holds again without harm (the digest
   * is the content). Layers are always asked for: the same files make the
   * same layer release after release, and a destination that has a blob
   * is not sent it.
   */
  uploadSmallUnasked?: boolean;
}

export async function copyBlob(
  context: BlobContext,
  descriptor: Descriptor,
): Promise<BlobTransfer> {
  const { source, destination } = context;
  const { digest, size } = descriptor;
  context.emit({ type: 'blob-start', digest, size });

  const how = await transfer(context, descriptor, source, destination);
  context.emit({ type: 'blob-done', digest, size, how });
  return how;
}

async function transfer(
  context: BlobContext,
  descriptor: Descriptor,
  source: ReadTarget,
  destination: WriteTarget,
): Promise<BlobTransfer> {
  const digest = descriptor.digest;
  const onDestination = <T>(step: () => Promise<T>) =>
    onSide('destination', digest, step);

  if (unasked(context, descriptor, source, destination)) {
    const bytes = await smallBytes(context, descriptor);
    if (bytes !== undefined) {
      await onDestination(() => uploadTo(context, destination, descriptor, bytes));
      return 'uploaded';
    }
  }
  if (await onDestination(() => destination.exists(descriptor))) return 'skipped';

  if (destination instanceof RegistryTarget) {
    // A source made of others (a build's overlay) names where a blob lives.
    const origin = source.locate?.(descriptor) ?? source;
    if (origin instanceof RegistryTarget) {
      const mounted = await onDestination(() =>
        destination.mountFrom(descriptor, origin),
      );
      if (mounted) return 'mounted';
    }
    const small =
      origin instanceof RegistryTarget
        ? undefined
        : await smallBytes(context, descriptor);
    const result = await onDestination(() =>
      uploadTo(context, destination, descriptor, small),
    );
    return result === 'exists' ? 'skipped' : 'uploaded';
  }

  const stream = await openSource(context, descriptor, 0);
  await onDestination(() => destination.push(descriptor, stream));
  return 'uploaded';
}

/** Whether `descriptor` goes to a registry without a HEAD first (uploadSmallUnasked). */
function unasked(
  context: BlobContext,
  descriptor: Descriptor,
  source: ReadTarget,
  destination: WriteTarget,
): destination is RegistryTarget {
  if (context.uploadSmallUnasked !== true || descriptor.size > SMALL_BLOB_BYTES) {
    return false;
  }
  if (isImageLayerType(descriptor.mediaType)) return false;
  // A blob another repository of the registry holds is mounted, after a HEAD.
  const origin = source.locate?.(descriptor) ?? source;
  return destination instanceof RegistryTarget && !(origin instanceof RegistryTarget);
}

/**
 * How many upload sessions one blob gets. A registry can lose a session
 * when a chunk breaks off half-written (distribution 2.8 then answers the
 * closing PUT with BLOB_UPLOAD_UNKNOWN); the blob is still wanted, so it is
 * sent once more in a new session, from byte 0.
 */
export const UPLOAD_SESSIONS_PER_BLOB = 2;

/** Codes of a registry that no longer knows the upload session. */
const LOST_SESSION_CODES = ['BLOB_UPLOAD_UNKNOWN', 'BLOB_UPLOAD_INVALID'];

/**
 * Blobs up to this size from a source that is not a registry (a build's
 * staging, a layout) are read whole and sent in one monolithic upload:
 * POST, then PUT with the bytes (distribution-spec, "Pushing a blob
 * monolithically"), two round trips instead of three. A release's configs,
 * attestations and small layers are such blobs; memory stays small.
 */
export const SMALL_BLOB_BYTES = 1024 * 1024;

async function smallBytes(
  context: BlobContext,
  descriptor: Descriptor,
): Promise<Uint8Array | undefined> {
  if (descriptor.size > SMALL_BLOB_BYTES) return undefined;
  const { source } = context;
  return onSide('source', descriptor.digest, () =>
    source.fetchBytes(descriptor, SMALL_BLOB_BYTES),
  );
}

async function uploadTo(
  context: BlobContext,
  destination: RegistryTarget,
  descriptor: Descriptor,
  bytes?: Uint8Array,
): Promise<'uploaded' | 'exists'> {
  for (let session = 1; ; session++) {
    // The source's GET goes out with the upload's POST, not after it.
    const early =
      bytes === undefined
        ? new EarlySource(openSource(context, descriptor, 0))
        : undefined;
    const open = (offset: number) =>
      early?.take(offset) ?? openSource(context, descriptor, offset);
    try {
      // `exists` just said no (or was not asked: uploadSmallUnasked); a
      // second session asks again (the first may have landed).
      const knownMissing = session === 1;
      const source = bytes ?? { open };
      const result = await destination.pushFrom(descriptor, source, { knownMissing });
      // Found after a lost session: the first session's bytes arrived.
      return session > 1 ? 'uploaded' : result;
    } catch (error) {
      const lost =
        error instanceof RegistryError &&
        LOST_SESSION_CODES.some((code) => error.has(code));
      if (!lost || session >= UPLOAD_SESSIONS_PER_BLOB || context.signal.aborted) {
        throw error;
      }
      const message = `destination lost the upload of ${descriptor.digest}; again`;
      context.emit({ type: 'warning', message });
    } finally {
      await early?.discard();
    }
  }
}

/**
 * The source's bytes of a blob from `offset` on, as a stream whose errors
 * name the source side and which stops when the copy is aborted.
 */
async function openSource(
  context: BlobContext,
  descriptor: Descriptor,
  offset: number,
): Promise<Readable> {
  const { source, signal } = context;
  if (signal.aborted) throw aborted(signal.reason);
  const stream = await onSide('source', descriptor.digest, () =>
    source instanceof RegistryTarget && offset > 0
      ? source.fetchFrom(descriptor, offset)
      : source.fetch(descriptor),
  );
  const skip = source instanceof RegistryTarget ? 0 : offset;
  return Readable.from(guarded(context, descriptor, stream, { offset, skip }), {
    objectMode: false,
  });
}

async function* guarded(
  context: BlobContext,
  descriptor: Descriptor,
  stream: Readable,
  at: { offset: number; skip: number },
): AsyncGenerator<Uint8Array> {
  const { signal } = context;
  const stop = () => stream.destroy(aborted(signal.reason));
  signal.addEventListener('abort', stop, { once: true });
  let toSkip = at.skip;
  let done = at.offset;
  let reported = done;
  try {
    for await (const chunk of stream) {
      let bytes = chunk as Buffer;
      if (toSkip > 0) {
        const skipped = Math.min(toSkip, bytes.length);
        toSkip -= skipped;
        bytes = bytes.subarray(skipped);
      }
      if (bytes.length === 0) continue;
      done += bytes.length;
      if (done - reported >= PROGRESS_STEP_BYTES || done === descriptor.size) {
        reported = done;
        const { digest, size } = descriptor;
        context.emit({ type: 'blob-progress', digest, size, done });
      }
      yield bytes;
    }
  } catch (error) {
    throw signal.aborted
      ? aborted(signal.reason)
      : sided(error, 'source', descriptor.digest);
  } finally {
    signal.removeEventListener('abort', stop);
    stream.destroy();
  }
}
