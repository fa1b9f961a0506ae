import type { Readable } from 'node:stream';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';

/**
 * Targets: where images are read from and written to. A registry
 * repository, an OCI image layout folder, an OCI archive, a docker-save
 * archive and memory all implement the same surface, so copying between
 * any two is one graph walk (the `copy` part) over these methods.
 *
 * A target holds one repository's worth of content: blobs, manifests and
 * indexes addressed by digest, and tags that name manifests or indexes.
 *
 * The contract every backend keeps:
 *
 * - Content is addressed by descriptor; every read is checked against the
 *   descriptor's size and digest (SizeMismatch, DigestMismatch), and a
 *   write is checked before it becomes visible: nothing partial or wrong
 *   is ever readable.
 * - `push` stores content only. Pushing a manifest or index never makes it
 *   reachable by a tag; only `tag` does that. In a layout an untagged
 *   manifest is a blob that `resolve` finds by digest; a manifest with a
 *   `subject` also gets an index.json entry without a name, the layout's
 *   only way to list it for `referrers` (that entry is no tag).
 * - Children before parents is the caller's job: `push` of a manifest does
 *   not check that its config, layers or child manifests are present, and
 *   `tag` checks only that the manifest or index itself is.
 * - `tag` points one tag at one manifest or index and leaves every other
 *   tag as it was.
 * - Errors are GantryErrors; something missing is NotFound.
 */

export type TargetKind =
  | 'memory'
  | 'oci-layout'
  | 'oci-archive'
  | 'docker-archive'
  | 'registry';

export interface ReadTarget {
  readonly kind: TargetKind;
  /** For messages, in the form users type it: `oci:/path/layout`. */
  readonly description: string;

  /**
   * The descriptor of the manifest or index a tag or a digest
   * (`sha256:...`) names; NotFound when there is none.
   */
  resolve(tagOrDigest: string): Promise<Descriptor>;

  /**
   * The bytes of a blob, manifest or index as a stream. The stream fails
   * with SizeMismatch or DigestMismatch when the content read to its end is
   * not what the descriptor says; NotFound (thrown, not streamed) when the
   * target does not have it.
   */
  fetch(descriptor: Descriptor): Promise<Readable>;

  /**
   * The whole content of something small (a manifest, an index, a config),
   * verified. Content larger than `limit` (default
   * DEFAULT_FETCH_BYTES_LIMIT) is refused with ContentTooLarge before any
   * byte is read.
   */
  fetchBytes(descriptor: Descriptor, limit?: number): Promise<Uint8Array>;

  /** Whether the target holds content of this digest and size. */
  exists(descriptor: Descriptor): Promise<boolean>;

  /** Every tag, each once, in the target's order. */
  tags(): Promise<string[]>;

  /**
   * The manifests whose `subject` is `subject` (image-spec manifest.md,
   * "subject"; distribution-spec v1.1, "Listing Referrers"), each described
   * with its artifact type and annotations, optionally only those of one
   * artifact type. Includes the entries of the referrers tag-schema index
   * (`<alg>-<hex>`) where the target has one.
   */
  referrers(subject: Digest, artifactType?: string): Promise<Descriptor[]>;

  /**
   * For a target that gathers content from others (a build's overlay of new
   * blobs over its bases): the target that really holds a blob, so a copy
   * can mount it within a registry instead of streaming it. Plain targets
   * leave it out.
   */
  locate?(descriptor: Descriptor): ReadTarget | undefined;
}

export interface WriteTarget extends ReadTarget {
  /**
   * Stores content under its descriptor. The bytes are checked against the
   * descriptor's size and digest before they become visible; on a mismatch
   * nothing is stored and SizeMismatch or DigestMismatch is thrown. Content
   * already present is not written again (a given stream is drained).
   */
  push(descriptor: Descriptor, content: Uint8Array | Readable): Promise<void>;

  /**
   * Points `tag` at a manifest or index the target already holds (NotFound
   * otherwise), replacing only what that tag pointed at before. With
   * `options.expect`, refuses with TagMoved and writes nothing when the tag
   * does not point where the caller last saw it.
   */
  tag(descriptor: Descriptor, tag: string, options?: TagOptions): Promise<void>;

  /**
   * Finishes the target: archives write themselves out here. Other targets
   * may not have it; calling it twice is harmless.
   */
  close?(): Promise<void>;
}

export interface TagOptions {
  /**
   * What the caller expects the tag to name now: `{ digest }`, or
   * `{ digest: undefined }` for a tag that must not exist yet. A layout
   * compares under its lock (compare-and-set); a registry can only read the
   * tag just before the write, since distribution has no conditional PUT.
   */
  expect?: { digest: string | undefined };
  /**
   * The manifest's exact bytes, when the caller has them at hand: a target
   * that must send them (a registry) need not read them back first.
   */
  bytes?: Uint8Array;
}

/**
 * The default `limit` of `fetchBytes`. Content read whole into memory is
 * manifests (at most MAX_MANIFEST_BYTES, 4 MiB, for portability) and image
 * configs, which are a few KiB and rarely more than a MiB even with long
 * histories; 16 MiB leaves room for both and stops a wrong descriptor from
 * pulling a layer into memory.
 */
export const DEFAULT_FETCH_BYTES_LIMIT = 16 * 1024 * 1024;
