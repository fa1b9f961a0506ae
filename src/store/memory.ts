import type { Readable } from 'node:stream';
import { ErrorCode, GantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { isManifestType } from '../oci/mediatype.js';
import { assertRegistryTag, digestOrUndefined, notFound } from './names.js';
import { scanReferrers } from './referrers.js';
import type { TargetKind, WriteTarget } from './target.js';
import {
  checkLimit,
  chunksOf,
  collectVerified,
  drain,
  verifiedStream,
  verifyBytes,
} from './verify.js';

/**
 * A target held in memory: for staging a build before it is published and
 * for tests. Tags follow the registry tag grammar, so what is staged here
 * can be published unchanged.
 */

interface Stored {
  bytes: Uint8Array;
  /** The media type it was pushed with; manifests are found by it. */
  mediaType: string;
  digest: Digest;
}

export class MemoryTarget implements WriteTarget {
  readonly kind: TargetKind = 'memory';
  readonly description: string;
  private readonly content = new Map<string, Stored>();
  private readonly tagged = new Map<string, Descriptor>();

  constructor(options: { description?: string } = {}) {
    this.description = options.description ?? 'memory';
  }

  async resolve(tagOrDigest: string): Promise<Descriptor> {
    const digest = digestOrUndefined(tagOrDigest);
    if (digest === undefined) {
      const found = this.tagged.get(tagOrDigest);
      if (found === undefined) throw notFound(`tag "${tagOrDigest}"`, this.description);
      return { ...found };
    }

    const stored = this.content.get(digest.toString());
    if (stored === undefined || !isManifestType(stored.mediaType)) {
      throw notFound(`manifest ${digest}`, this.description);
    }
    return { mediaType: stored.mediaType, digest, size: stored.bytes.byteLength };
  }

  async fetch(descriptor: Descriptor): Promise<Readable> {
    const bytes = this.stored(descriptor).bytes;
    return verifiedStream([bytes], descriptor, this.what(descriptor));
  }

  async fetchBytes(descriptor: Descriptor, limit?: number): Promise<Uint8Array> {
    checkLimit(descriptor, limit, this.what(descriptor));
    const bytes = this.stored(descriptor).bytes;
    verifyBytes(bytes, descriptor, this.what(descriptor));
    return bytes.slice();
  }

  async exists(descriptor: Descriptor): Promise<boolean> {
    const stored = this.content.get(descriptor.digest.toString());
    return stored !== undefined && stored.bytes.byteLength === descriptor.size;
  }

  async tags(): Promise<string[]> {
    return [...this.tagged.keys()];
  }

  async referrers(subject: Digest, artifactType?: string): Promise<Descriptor[]> {
    const roots: Descriptor[] = [];
    for (const { mediaType, digest, bytes } of this.content.values()) {
      if (isManifestType(mediaType))
        roots.push({ mediaType, digest, size: bytes.byteLength });
    }
    const fallback = this.tagged.get(subject.toReferrersTag());
    const scan = {
      roots,
      fallback,
      fetchBytes: (d: Descriptor) => this.fetchBytes(d),
      exists: (d: Descriptor) => this.exists(d),
    };
    return scanReferrers(scan, subject, artifactType);
  }

  async push(descriptor: Descriptor, content: Uint8Array | Readable): Promise<void> {
    if (await this.exists(descriptor)) return drain(content);
    const what = this.what(descriptor);
    const bytes = await collectVerified(chunksOf(content), descriptor, what);
    this.content.set(descriptor.digest.toString(), {
      bytes,
      mediaType: descriptor.mediaType,
      digest: descriptor.digest,
    });
  }

  async tag(descriptor: Descriptor, tag: string): Promise<void> {
    assertRegistryTag(tag, this.description);
    if (!isManifestType(descriptor.mediaType)) throw notTaggable(this, descriptor);
    const stored = this.stored(descriptor);
    this.tagged.set(tag, {
      mediaType: stored.mediaType,
      digest: descriptor.digest,
      size: stored.bytes.byteLength,
    });
  }

  private stored(descriptor: Descriptor): Stored {
    const stored = this.content.get(descriptor.digest.toString());
    if (stored === undefined) throw notFound(`${descriptor.digest}`, this.description);
    return stored;
  }

  private what(descriptor: Descriptor): string {
    return `${descriptor.digest} in ${this.description}`;
  }
}

function notTaggable(target: MemoryTarget, descriptor: Descriptor): GantryError {
  return new GantryError(
    ErrorCode.Usage,
    `${target.description}: cannot tag ${descriptor.digest} of type ` +
      `${descriptor.mediaType}: only manifests and indexes take tags`,
  );
}
