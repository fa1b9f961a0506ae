import { Readable } from 'node:stream';
import { ErrorCode, GantryError, isGantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { type Manifest, parseManifest } from '../oci/manifest.js';
import { isManifestType, MediaType } from '../oci/mediatype.js';
import type { Reference } from '../reference/reference.js';
import type { RegistryClient } from '../registry/client.js';
import type { BlobSource, UploadOptions } from '../registry/upload.js';
import { assertRegistryTag, digestOrUndefined, notFound } from './names.js';
import { referrerDescriptor } from './referrers.js';
import { checkTagExpected } from './tag-expect.js';
import type { TagOptions, TargetKind, WriteTarget } from './target.js';
import {
  checkLimit,
  chunksOf,
  collectVerified,
  drain,
  sizeMismatch,
  verifiedChunks,
  verifyBytes,
} from './verify.js';

/**
 * One repository of one registry as a target, over RegistryClient.
 * Manifests are pushed by digest and tagged by a PUT of the same exact
 * bytes under the tag, so a tag never names bytes the registry has not
 * already accepted by digest. Blobs are pushed from a source that can be
 * re-opened at an offset, so an upload cut off mid-way resumes.
 *
 * Registries without the referrers API (distribution 2.8) keep referrers
 * in the tag-schema index `<alg>-<hex>` (distribution-spec v1.1,
 * "Referrers Tag Schema"); pushing a manifest with a `subject` updates it.
 */
export class RegistryTarget implements WriteTarget {
  readonly kind: TargetKind = 'registry';
  readonly description: string;
  /** As written in references: `localhost:5000`, `docker.io`. */
  readonly registry: string;
  readonly repository: string;
  readonly #client: RegistryClient;
  readonly #repo: Reference;
  #referrersApi: Promise<boolean> | undefined;
  /** Fallback updates are read-modify-write: one at a time per target. */
  #fallbackQueue: Promise<unknown> = Promise.resolve();

  constructor(client: RegistryClient, repository: Reference) {
    this.#client = client;
    this.#repo = repository.repositoryReference();
    this.registry = this.#repo.registry;
    this.repository = this.#repo.repository;
    this.description = this.#repo.name;
  }

  async resolve(tagOrDigest: string): Promise<Descriptor> {
    const ref = this.#at(tagOrDigest);
    const found = await this.#client.headManifest(ref);
    if (found === undefined) throw notFound(`manifest ${tagOrDigest}`, this.description);
    return found;
  }

  async fetch(descriptor: Descriptor): Promise<Readable> {
    if (!isManifestType(descriptor.mediaType)) {
      const stream = await this.#client.getBlob(this.#repo, descriptor);
      return Readable.from(sizeChecked(stream, descriptor, this.#what(descriptor)));
    }
    return Readable.from([await this.#manifestBytes(descriptor)], { objectMode: false });
  }

  /** A blob from `offset` on; bytes before it are the caller's to check. */
  fetchFrom(descriptor: Descriptor, offset: number): Promise<Readable> {
    return this.#client.getBlob(this.#repo, descriptor, { offset });
  }

  async fetchBytes(descriptor: Descriptor, limit?: number): Promise<Uint8Array> {
    checkLimit(descriptor, limit, this.#what(descriptor));
    if (isManifestType(descriptor.mediaType)) {
      return asUint8Array(await this.#manifestBytes(descriptor));
    }
    const stream = await this.fetch(descriptor);
    return asUint8Array(
      await collectVerified(stream, descriptor, this.#what(descriptor)),
    );
  }

  async exists(descriptor: Descriptor): Promise<boolean> {
    if (isManifestType(descriptor.mediaType)) {
      const ref = this.#repo.withDigest(descriptor.digest);
      const found = await this.#client.headManifest(ref);
      return found !== undefined && found.size === descriptor.size;
    }
    const found = await this.#client.headBlob(this.#repo, descriptor.digest);
    return found !== undefined && found.size === descriptor.size;
  }

  async tags(): Promise<string[]> {
    try {
      return await this.#client.listTags(this.#repo);
    } catch (error) {
      // distribution 2.8 answers NAME_UNKNOWN for a repository without tags.
      if (isGantryError(error, ErrorCode.NotFound)) return [];
      throw error;
    }
  }

  referrers(subject: Digest, artifactType?: string): Promise<Descriptor[]> {
    const options = artifactType === undefined ? {} : { artifactType };
    return this.#client.referrers(this.#repo, subject, options);
  }

  async push(descriptor: Descriptor, content: Uint8Array | Readable): Promise<void> {
    const what = this.#what(descriptor);
    if (isManifestType(descriptor.mediaType)) {
      const bytes = await collectVerified(chunksOf(content), descriptor, what);
      return this.#pushManifest(descriptor, bytes);
    }
    if (content instanceof Uint8Array) {
      verifyBytes(content, descriptor, what);
      await this.pushFrom(descriptor, content);
      return;
    }
    // Checked while read, so a wrong stream fails before the upload closes.
    const checked = Readable.from(verifiedChunks(content, descriptor, what));
    const result = await this.pushFrom(descriptor, onceSource(checked, what));
    if (result === 'exists') await drain(content);
  }

  /**
   * Uploads a blob from a source that re-opens at an offset, so a dropped
   * upload continues where the registry stopped (see registry/upload.ts).
   * 'exists' when the repository already holds it (nothing is read).
   */
  pushFrom(
    descriptor: Descriptor,
    source: BlobSource,
    options?: UploadOptions,
  ): Promise<'uploaded' | 'exists'> {
    return this.#client.uploadBlob(this.#repo, descriptor, source, options);
  }

  /**
   * Mounts a blob from another repository of the same registry
   * (distribution-spec, "Mounting a blob from another repository"). False
   * when the registries differ or the registry refuses: upload instead.
   */
  async mountFrom(descriptor: Descriptor, source: RegistryTarget): Promise<boolean> {
    if (source.registry !== this.registry || source.repository === this.repository) {
      return false;
    }
    return this.#client.mountBlob(this.#repo, descriptor.digest, source.#repo);
  }

  /**
   * `options.bytes`: the manifest's exact bytes, when the caller has just
   * pushed them: they are PUT under the tag without reading them back (the
   * registry refuses a manifest whose children it lacks, so nothing
   * incomplete gets tagged either way). `options.expect` reads the tag once
   * just before the PUT: distribution has no conditional manifest PUT, so
   * a writer landing between that read and the PUT is not seen.
   */
  async tag(descriptor: Descriptor, tag: string, options?: TagOptions): Promise<void> {
    const bytes = options?.bytes;
    assertRegistryTag(tag, this.description);
    if (!isManifestType(descriptor.mediaType)) {
      throw new GantryError(
        ErrorCode.Usage,
        `${this.description}: cannot tag ${descriptor.digest} of type ` +
          `${descriptor.mediaType}: only manifests and indexes take tags`,
      );
    }
    if (options?.expect !== undefined) {
      const current = await this.#currentDigest(tag);
      checkTagExpected(options, current, tag, this.description);
    }
    if (bytes !== undefined) {
      verifyBytes(bytes, descriptor, this.#what(descriptor));
      const body = { bytes, mediaType: descriptor.mediaType };
      await this.#client.putManifest(this.#repo.withTag(tag), body);
      return;
    }
    if (!(await this.exists(descriptor))) {
      throw notFound(`manifest ${descriptor.digest}`, this.description);
    }
    const manifest = await this.#client.getManifest(
      this.#repo.withDigest(descriptor.digest),
    );
    const body = { bytes: manifest.bytes, mediaType: manifest.mediaType };
    await this.#client.putManifest(this.#repo.withTag(tag), body);
  }

  /** The digest a tag names now (one HEAD), or undefined when there is no such tag. */
  async #currentDigest(tag: string): Promise<string | undefined> {
    const found = await this.#client.headManifest(this.#repo.withTag(tag));
    return found?.digest.toString();
  }

  async #pushManifest(descriptor: Descriptor, bytes: Uint8Array): Promise<void> {
    const ref = this.#repo.withDigest(descriptor.digest);
    await this.#client.putManifest(ref, { bytes, mediaType: descriptor.mediaType });

    const manifest = withSubject(descriptor, bytes);
    const subject = manifest?.subject?.digest;
    if (manifest === undefined || subject === undefined) return;
    const referrer = referrerDescriptor(manifest);
    if (await this.#hasReferrersApi(subject)) return;
    // Pushed again after an interrupted run too: the update adds an entry once.
    const update = this.#fallbackQueue.then(() =>
      this.#client.putReferrerFallback(this.#repo, subject, referrer),
    );
    this.#fallbackQueue = update.catch(() => undefined);
    await update;
  }

  /**
   * distribution-spec v1.1, "Listing Referrers": a registry with the API
   * never answers 404 there, so a 404 means the tag schema is in use.
   */
  #hasReferrersApi(subject: Digest): Promise<boolean> {
    if (this.#referrersApi === undefined) {
      const probe = this.#probeReferrersApi(subject);
      // A failed probe is asked again next time, not remembered.
      probe.catch(() => {
        if (this.#referrersApi === probe) this.#referrersApi = undefined;
      });
      this.#referrersApi = probe;
    }
    return this.#referrersApi;
  }

  async #probeReferrersApi(subject: Digest): Promise<boolean> {
    const response = await this.#client.session(this.registry).request({
      method: 'GET',
      url: `/v2/${this.repository}/referrers/${subject}`,
      headers: { accept: MediaType.OciIndex },
      scopes: [this.#repo.scope(['pull'])],
      expect: [200, 404],
      operation: `referrers API probe in ${this.repository}`,
    });
    await response.dump();
    return response.status === 200;
  }

  async #manifestBytes(descriptor: Descriptor): Promise<Uint8Array> {
    const ref = this.#repo.withDigest(descriptor.digest);
    const manifest = await this.#client.getManifest(ref);
    verifyBytes(manifest.bytes, descriptor, this.#what(descriptor));
    return manifest.bytes;
  }

  #at(tagOrDigest: string): Reference {
    const digest = digestOrUndefined(tagOrDigest);
    return digest === undefined
      ? this.#repo.withTag(tagOrDigest)
      : this.#repo.withDigest(digest);
  }

  #what(descriptor: Descriptor): string {
    return `${descriptor.digest} in ${this.description}`;
  }
}

/**
 * The registry client reports a short or long body as ShortRead or
 * TrailingData; a target reports both as SizeMismatch (see target.ts).
 */
async function* sizeChecked(
  stream: Readable,
  descriptor: Descriptor,
  what: string,
): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (error) {
    const codes: string[] = [ErrorCode.ShortRead, ErrorCode.TrailingData];
    if (!isGantryError(error) || !codes.includes(error.code)) throw error;
    throw sizeMismatch(
      what,
      descriptor,
      String(error.details.received ?? 'another size'),
    );
  }
}

/** A plain Uint8Array view (not a Buffer), as every target returns. */
function asUint8Array(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The parsed manifest when it has a `subject`; undefined for anything else. */
function withSubject(descriptor: Descriptor, bytes: Uint8Array): Manifest | undefined {
  try {
    const manifest = parseManifest(bytes, { descriptorMediaType: descriptor.mediaType });
    return manifest.subject === undefined ? undefined : manifest;
  } catch {
    // The registry accepted it; whoever reads it later reports the problem.
    return undefined;
  }
}

/**
 * A stream as an upload source: it can be read once, from byte 0. A resume
 * at a later offset is refused; callers that want resumable uploads pass a
 * source of their own to pushFrom.
 */
function onceSource(stream: Readable, what: string): BlobSource {
  let used = false;
  return {
    open(offset: number): Readable {
      if (!used && offset === 0) {
        used = true;
        return stream;
      }
      throw new GantryError(
        ErrorCode.Unsupported,
        `${what}: the upload broke off and a stream cannot be read again`,
        { hint: 'run the copy again: blobs already uploaded are skipped' },
      );
    },
  };
}
