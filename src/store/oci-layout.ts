import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCode, GantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { MAX_MANIFEST_BYTES } from '../oci/manifest.js';
import { isManifestType } from '../oci/mediatype.js';
import {
  blobPath,
  INDEX_FILE,
  writeBlobAtomic,
  writeFileAtomic,
} from './layout-files.js';
import {
  findByRefName,
  type LayoutIndex,
  parseLayoutIndex,
  refNames,
  serializeLayoutIndex,
  withoutRefName,
  withRefName,
  withUnnamedEntry,
} from './layout-index.js';
import { withLayoutLock } from './layout-lock.js';
import { openLayoutFolder } from './layout-open.js';
import { checkTaggable, readOnlyError, resolveInLayout } from './layout-resolve.js';
import { assertLayoutRefName, notFound } from './names.js';
import { asReferrer, scanReferrers } from './referrers.js';
import { checkTagExpected } from './tag-expect.js';
import type { TagOptions, TargetKind, WriteTarget } from './target.js';
import {
  checkLimit,
  collectVerified,
  drain,
  sizeMismatch,
  verifiedStream,
} from './verify.js';

/**
 * index.json is refused over this size before it is read: one entry takes
 * some 300 bytes, so this holds over 200 000 tags while a hostile or broken
 * file cannot make gantry read gigabytes into memory.
 */
export const MAX_LAYOUT_INDEX_BYTES = 64 * 1024 * 1024;

/**
 * An OCI image layout folder (image-spec image-layout.md): `oci-layout`,
 * `blobs/<alg>/<hex>` and an `index.json` holding any number of images,
 * named by `org.opencontainers.image.ref.name` (see layout-index.ts for
 * how names are matched). index.json is read afresh for every lookup and
 * rewritten under a lock (layout-lock.ts), so several gantry processes can
 * write one layout at once.
 */

export interface OciLayoutOptions {
  /** Create the folder, `oci-layout` and an empty `index.json` when missing. */
  create?: boolean;
  /** Refuse every write: for inputs that must not change. */
  readOnly?: boolean;
  /** How messages name the layout; default `oci:<absolute path>`. */
  description?: string;
}

export class OciLayoutTarget implements WriteTarget {
  readonly kind: TargetKind = 'oci-layout';
  readonly description: string;
  readonly path: string;
  private readonly readOnly: boolean;

  private constructor(path: string, readOnly: boolean, description?: string) {
    this.path = path;
    this.readOnly = readOnly;
    this.description = description ?? `oci:${path}`;
  }

  static async open(
    path: string,
    options: OciLayoutOptions = {},
  ): Promise<OciLayoutTarget> {
    const absolute = resolvePath(path);
    await openLayoutFolder(
      absolute,
      options.create === true && options.readOnly !== true,
    );
    return new OciLayoutTarget(absolute, options.readOnly === true, options.description);
  }

  async resolve(tagOrDigest: string): Promise<Descriptor> {
    return resolveInLayout(await this.readIndex(), this, tagOrDigest);
  }

  async fetch(descriptor: Descriptor): Promise<Readable> {
    const path = await this.checkedPath(descriptor);
    return verifiedStream(createReadStream(path), descriptor, this.what(descriptor));
  }

  async fetchBytes(descriptor: Descriptor, limit?: number): Promise<Uint8Array> {
    checkLimit(descriptor, limit, this.what(descriptor));
    const path = await this.checkedPath(descriptor);
    return collectVerified(createReadStream(path), descriptor, this.what(descriptor));
  }

  async exists(descriptor: Descriptor): Promise<boolean> {
    return (await this.blobSize(descriptor.digest)) === descriptor.size;
  }

  /** The size of the blob file, or undefined when there is none. */
  async blobSize(digest: Digest): Promise<number | undefined> {
    const info = await stat(blobPath(this.path, digest)).catch(() => undefined);
    return info?.isFile() === true ? info.size : undefined;
  }

  async tags(): Promise<string[]> {
    return refNames(await this.readIndex());
  }

  async referrers(subject: Digest, artifactType?: string): Promise<Descriptor[]> {
    const index = await this.readIndex();
    const fallback = findByRefName(index, subject.toReferrersTag(), this.description);
    const scan = {
      roots: index.entries.map((e) => e.descriptor),
      fallback: fallback?.descriptor,
      fetchBytes: (d: Descriptor) => this.fetchBytes(d),
      exists: (d: Descriptor) => this.exists(d),
    };
    return scanReferrers(scan, subject, artifactType);
  }

  async push(descriptor: Descriptor, content: Uint8Array | Readable): Promise<void> {
    this.checkWritable();
    if (await this.exists(descriptor)) await drain(content);
    else await writeBlobAtomic(this.path, descriptor, content, this.what(descriptor));
    if (isManifestType(descriptor.mediaType)) await this.keepReferrer(descriptor);
  }

  /**
   * A manifest with a `subject` gets an entry without a name in index.json
   * (see withUnnamedEntry): otherwise no referrers lookup could find it.
   */
  private async keepReferrer(descriptor: Descriptor): Promise<void> {
    if (descriptor.size > MAX_MANIFEST_BYTES) return;
    const referrer = asReferrer(descriptor, await this.fetchBytes(descriptor));
    if (referrer === undefined) return;
    await withLayoutLock(this.path, async () => {
      const index = await this.readIndex();
      const next = withUnnamedEntry(index, referrer);
      if (next !== index)
        await writeFileAtomic(this.indexPath(), serializeLayoutIndex(next));
    });
  }

  async tag(descriptor: Descriptor, tag: string, options?: TagOptions): Promise<void> {
    this.checkWritable();
    assertLayoutRefName(tag, this.description);
    await checkTaggable(this, descriptor);

    // Compared and written under one hold of the lock: a compare-and-set.
    await withLayoutLock(this.path, async () => {
      const index = await this.readIndex();
      const current = findByRefName(index, tag, this.description);
      checkTagExpected(
        options,
        current?.descriptor.digest.toString(),
        tag,
        this.description,
      );
      const next = withRefName(index, descriptor, tag);
      await writeFileAtomic(this.indexPath(), serializeLayoutIndex(next));
    });
  }

  /**
   * Removes a tag: the index.json entry named `tag` goes and every other
   * entry stays, the same digest under other names or unnamed included.
   * Blobs stay too: a layout has no garbage collection, and another entry
   * or a referrer may still need them. With `options.expect`, compared and
   * written under one hold of the lock, as `tag` does. Returns what the
   * tag named; NotFound when no entry has that name.
   */
  async untag(tag: string, options?: TagOptions): Promise<Descriptor> {
    this.checkWritable();
    return withLayoutLock(this.path, async () => {
      const index = await this.readIndex();
      const current = findByRefName(index, tag, this.description);
      const digest = current?.descriptor.digest.toString();
      checkTagExpected(options, digest, tag, this.description);
      if (current === undefined) {
        const hint = `gantry tags ${this.description} lists the tags it holds`;
        throw notFound(`tag "${tag}"`, this.description, hint);
      }

      const next = withoutRefName(index, tag);
      await writeFileAtomic(this.indexPath(), serializeLayoutIndex(next));
      return current.descriptor;
    });
  }

  /** index.json as it is now on disk. */
  async readIndex(): Promise<LayoutIndex> {
    const info = await stat(this.indexPath()).catch(() => undefined);
    if (info !== undefined && info.size > MAX_LAYOUT_INDEX_BYTES) {
      throw new GantryError(
        ErrorCode.InvalidLayout,
        `${this.indexPath()} is ${info.size} bytes, over ${MAX_LAYOUT_INDEX_BYTES}`,
        { hint: 'this is no index.json gantry wrote; check the folder is an OCI layout' },
      );
    }
    const bytes = await readFile(this.indexPath()).catch((cause: unknown) => {
      throw new GantryError(ErrorCode.InvalidLayout, `cannot read ${this.indexPath()}`, {
        hint:
          'an OCI layout needs an index.json: copy or release into it first, ' +
          'or check the path',
        cause,
      });
    });
    return parseLayoutIndex(bytes, `${this.description} index.json`);
  }

  private indexPath(): string {
    return join(this.path, INDEX_FILE);
  }

  /** The blob's path after checking that it is there with the right size. */
  private async checkedPath(descriptor: Descriptor): Promise<string> {
    const path = blobPath(this.path, descriptor.digest);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || !info.isFile()) {
      throw notFound(`blob ${descriptor.digest}`, this.description);
    }
    if (info.size !== descriptor.size) {
      throw sizeMismatch(this.what(descriptor), descriptor, info.size);
    }
    return path;
  }

  private checkWritable(): void {
    if (this.readOnly) throw readOnlyError(this.description);
  }

  private what(descriptor: Pick<Descriptor, 'digest'>): string {
    return `${descriptor.digest} in ${this.description}`;
  }
}
