import type { Readable } from 'node:stream';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { Manifest } from '../oci/manifest.js';
import type { Reference } from '../reference/reference.js';
import { type BlobDescriptor, getBlob, headBlob } from './blobs.js';
import {
  deleteManifest,
  getManifest,
  headManifest,
  type ManifestBytes,
  putManifest,
} from './manifests.js';
import { putReferrerFallback, type ReferrersOptions, referrers } from './referrers.js';
import { createSession, type SessionOptions } from './session.js';
import { type ListTagsOptions, listTags } from './tags.js';
import type { RegistrySession } from './types.js';
import { type BlobSource, mountBlob, type UploadOptions, uploadBlob } from './upload.js';

/** A session that may hold connections to close (see Session). */
export type ClientSession = RegistrySession & { close?(): Promise<void> };

/** Makes the session of one registry; tests pass their own. */
export type SessionFactory = (
  registry: string,
  options?: SessionOptions,
) => ClientSession;

/**
 * The distribution API over one session per registry (sessions hold tokens
 * and connections, so they are made once and kept). Every method takes the
 * references the user wrote; which registry answers is the reference's.
 */
export class RegistryClient {
  readonly #options: SessionOptions | undefined;
  readonly #factory: SessionFactory;
  readonly #sessions = new Map<string, ClientSession>();

  constructor(options?: SessionOptions, factory: SessionFactory = createSession) {
    this.#options = options;
    this.#factory = factory;
  }

  /** The session of `registry` (as written in references), made on first use. */
  session(registry: string): RegistrySession {
    let session = this.#sessions.get(registry);
    if (session === undefined) {
      session = this.#factory(registry, this.#options);
      this.#sessions.set(registry, session);
    }
    return session;
  }

  /** By digest when `ref` has one (the digest wins over the tag), else by tag. */
  getManifest(ref: Reference): Promise<Manifest> {
    return getManifest(this.#of(ref), ref);
  }

  /** Undefined when the registry answers 404. */
  headManifest(ref: Reference): Promise<Descriptor | undefined> {
    return headManifest(this.#of(ref), ref);
  }

  /** Pushes exact bytes to the tag or digest `ref` names; returns their digest. */
  putManifest(ref: Reference, manifest: ManifestBytes): Promise<Digest> {
    return putManifest(this.#of(ref), ref, manifest);
  }

  /** `deletedByTag: false` means every tag on that digest went with it. */
  deleteManifest(ref: Reference): Promise<{ digest: Digest; deletedByTag: boolean }> {
    return deleteManifest(this.#of(ref), ref);
  }

  headBlob(repo: Reference, digest: Digest): Promise<{ size: number } | undefined> {
    return headBlob(this.#of(repo), repo, digest);
  }

  /** A stream verified against the descriptor's size and digest. */
  getBlob(
    repo: Reference,
    descriptor: BlobDescriptor,
    options?: { offset?: number },
  ): Promise<Readable> {
    return getBlob(this.#of(repo), repo, descriptor, options);
  }

  uploadBlob(
    repo: Reference,
    descriptor: BlobDescriptor,
    source: BlobSource,
    options?: UploadOptions,
  ): Promise<'uploaded' | 'exists'> {
    return uploadBlob(this.#of(repo), repo, descriptor, source, options);
  }

  /** False when not mounted: the caller uploads the blob instead. */
  mountBlob(repo: Reference, digest: Digest, from: Reference): Promise<boolean> {
    return mountBlob(this.#of(repo), repo, digest, from);
  }

  listTags(repo: Reference, options?: ListTagsOptions): Promise<string[]> {
    return listTags(this.#of(repo), repo, options);
  }

  referrers(
    repo: Reference,
    subject: Digest,
    options?: ReferrersOptions,
  ): Promise<Descriptor[]> {
    return referrers(this.#of(repo), repo, subject, options);
  }

  /** Adds `descriptor` to the referrers tag-schema index of `subject`. */
  putReferrerFallback(
    repo: Reference,
    subject: Digest,
    descriptor: Descriptor,
  ): Promise<Digest> {
    return putReferrerFallback(this.#of(repo), repo, subject, descriptor);
  }

  /** Closes every session's idle connections; the client is not used after this. */
  async close(): Promise<void> {
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map((session) => session.close?.()));
  }

  #of(ref: Reference): RegistrySession {
    return this.session(ref.registry);
  }
}
