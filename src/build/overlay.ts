import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ErrorCode, GantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { MemoryTarget } from '../store/memory.js';
import type { ReadTarget, TargetKind } from '../store/target.js';
import { checkLimit, collectVerified, verifiedStream } from '../store/verify.js';

/**
 * What a build made, as one target to copy from: manifests, configs and
 * indexes from a staging MemoryTarget, new layer blobs from their files on
 * disk, and base layers from each base's own target. Nothing is gathered
 * in one place first, so `copyImage(overlay, root, destination, tags)`
 * streams a base layer from where it is, and `locate` lets the copy mount
 * it instead when the base and the destination share a registry.
 */
export class OverlayTarget implements ReadTarget {
  readonly kind: TargetKind = 'memory';
  readonly description: string;
  readonly #staging: MemoryTarget;
  readonly #files = new Map<string, string>();
  readonly #bases = new Map<string, ReadTarget>();

  constructor(staging: MemoryTarget, description = 'build') {
    this.#staging = staging;
    this.description = description;
  }

  /** Serves `digest` from the blob file at `path`. */
  addFile(digest: Digest, path: string): void {
    this.#files.set(`${digest}`, path);
  }

  /** Serves `digest` from a base's target. */
  addBase(digest: Digest, source: ReadTarget): void {
    this.#bases.set(`${digest}`, source);
  }

  /** The target a blob really lives in (a base's), for a mount; else undefined. */
  locate(descriptor: Descriptor): ReadTarget | undefined {
    if (this.#files.has(`${descriptor.digest}`)) return undefined;
    return this.#bases.get(`${descriptor.digest}`);
  }

  resolve(tagOrDigest: string): Promise<Descriptor> {
    return this.#staging.resolve(tagOrDigest);
  }

  async fetch(descriptor: Descriptor): Promise<Readable> {
    const key = `${descriptor.digest}`;
    const file = this.#files.get(key);
    if (file !== undefined) return fileStream(file, descriptor);
    const base = await this.#baseOf(descriptor);
    return (base ?? this.#staging).fetch(descriptor);
  }

  async fetchBytes(descriptor: Descriptor, limit?: number): Promise<Uint8Array> {
    const key = `${descriptor.digest}`;
    const file = this.#files.get(key);
    if (file !== undefined) {
      checkLimit(descriptor, limit, `layer ${key}`);
      return collectVerified(
        await fileStream(file, descriptor),
        descriptor,
        `layer ${key}`,
      );
    }
    const base = await this.#baseOf(descriptor);
    return (base ?? this.#staging).fetchBytes(descriptor, limit);
  }

  async exists(descriptor: Descriptor): Promise<boolean> {
    const key = `${descriptor.digest}`;
    if (this.#files.has(key)) return true;
    if (await this.#staging.exists(descriptor)) return true;
    const base = this.#bases.get(key);
    return (await base?.exists(descriptor)) === true;
  }

  /** The base target serving `descriptor` when staging does not hold it. */
  async #baseOf(descriptor: Descriptor): Promise<ReadTarget | undefined> {
    const base = this.#bases.get(`${descriptor.digest}`);
    if (base === undefined || (await this.#staging.exists(descriptor))) return undefined;
    return base;
  }

  tags(): Promise<string[]> {
    return this.#staging.tags();
  }

  /** Only what the build made: a build has no referrers of a base. */
  referrers(subject: Digest, artifactType?: string): Promise<Descriptor[]> {
    return this.#staging.referrers(subject, artifactType);
  }
}

/** A blob file, verified as it is read; a removed file is NotFound. */
async function fileStream(path: string, descriptor: Descriptor): Promise<Readable> {
  const what = `layer ${descriptor.digest}`;
  const handle = await open(path, 'r').catch((cause: unknown) => {
    throw new GantryError(ErrorCode.NotFound, `${what}: blob file ${path} is gone`, {
      hint: 'push a build before its dispose(); keep the cache folder till then',
      cause,
    });
  });
  return verifiedStream(handle.createReadStream(), descriptor, what);
}
