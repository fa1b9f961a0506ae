import type { Readable } from 'node:stream';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { MemoryTarget } from '../store/memory.js';
import type { ReadTarget, TargetKind } from '../store/target.js';

/**
 * A build's staging with attestations laid over it: the attestation blobs,
 * manifests and the new index from a MemoryTarget, everything else from
 * the build. The build's own staging is read-only, so nothing is added to
 * it; `locate` passes through so base layers are still mounted.
 */
export class AttestedStaging implements ReadTarget {
  readonly kind: TargetKind = 'memory';
  readonly description: string;
  readonly #added: MemoryTarget;
  readonly #build: ReadTarget;

  constructor(added: MemoryTarget, build: ReadTarget) {
    this.#added = added;
    this.#build = build;
    this.description = build.description;
  }

  async #holder(descriptor: Descriptor): Promise<ReadTarget> {
    return (await this.#added.exists(descriptor)) ? this.#added : this.#build;
  }

  async resolve(tagOrDigest: string): Promise<Descriptor> {
    try {
      return await this.#added.resolve(tagOrDigest);
    } catch {
      return this.#build.resolve(tagOrDigest);
    }
  }

  async fetch(descriptor: Descriptor): Promise<Readable> {
    return (await this.#holder(descriptor)).fetch(descriptor);
  }

  async fetchBytes(descriptor: Descriptor, limit?: number): Promise<Uint8Array> {
    return (await this.#holder(descriptor)).fetchBytes(descriptor, limit);
  }

  async exists(descriptor: Descriptor): Promise<boolean> {
    return (await this.#added.exists(descriptor)) || this.#build.exists(descriptor);
  }

  tags(): Promise<string[]> {
    return this.#build.tags();
  }

  async referrers(subject: Digest, artifactType?: string): Promise<Descriptor[]> {
    const added = await this.#added.referrers(subject, artifactType);
    return [...added, ...(await this.#build.referrers(subject, artifactType))];
  }

  locate(descriptor: Descriptor): ReadTarget | undefined {
    return this.#build.locate?.(descriptor);
  }
}
