import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCode, GantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { MAX_MANIFEST_BYTES } from '../oci/manifest.js';
import { isManifestType } from '../oci/mediatype.js';
import { archiveFileExists } from './archive-open.js';
import { packArchive } from './archive-write.js';
import {
  type BlobMap,
  fetchStream,
  fetchWhole,
  fileSource,
} from './docker-archive-blobs.js';
import {
  type ArchiveImage,
  findImage,
  imageTags,
  noSuchImage,
} from './docker-archive-names.js';
import { readDockerArchive } from './docker-archive-read.js';
import {
  checkImageTaggable,
  isReferrersTag,
  repoTagFor,
  withRepoTag,
} from './docker-archive-tagging.js';
import { dockerArchiveEntries } from './docker-archive-write.js';
import { blobPath, writeBlobAtomic } from './layout-files.js';
import {
  emptyLayoutIndex,
  findByRefName,
  type LayoutIndex,
  withRefName,
  withUnnamedEntry,
} from './layout-index.js';
import { checkTaggable, readOnlyError, resolveInLayout } from './layout-resolve.js';
import { digestOrUndefined } from './names.js';
import { asReferrer, scanReferrers } from './referrers.js';
import type { TargetKind, WriteTarget } from './target.js';
import { drain } from './verify.js';

/**
 * A docker-save archive: what `docker save` writes and `docker load` and
 * `podman load` read. Opening one reads both layouts (docker-archive-read.ts)
 * and presents each image as an image manifest: the archive's own when its
 * index.json has one, else one made from the files, whose digest is new
 * (docker-archive-synth.ts).
 *
 * Writing stages pushed blobs in a temp folder; `close()` writes the whole
 * archive in Docker 25's layout, which is also an OCI layout
 * (docker-archive-write.ts), and removes the staging folder. Call `close()`
 * whenever something was written, or nothing is saved. One archive has one
 * writer: the file is replaced whole on close.
 *
 * manifest.json has one image per entry and no place for an index: tagging
 * a multi-platform index is refused, naming its platforms. Tags are
 * `RepoTags` values, full references: a plain tag is put in the
 * `repository` option's repository.
 */

export interface DockerArchiveOptions {
  /** Start an empty archive when the file does not exist. */
  create?: boolean;
  /** Refuse every write; `close()` never rewrites the file. */
  readOnly?: boolean;
  /**
   * The repository a plain tag names, e.g. `docker.io/library/app`:
   * `tag(d, '1.0')` writes RepoTags `docker.io/library/app:1.0`.
   */
  repository?: string;
}

/** The prefix of staging folders, so a leftover one says what made it. */
export const DOCKER_ARCHIVE_STAGING_PREFIX = 'gantry-docker-archive-';

export class DockerArchiveTarget implements WriteTarget {
  readonly kind: TargetKind = 'docker-archive';
  readonly description: string;
  readonly file: string;
  private readonly blobs: BlobMap;
  private images: ArchiveImage[];
  private index: LayoutIndex;
  private readonly options: DockerArchiveOptions;
  /** The folder pushed blobs are written to, made once on the first push. */
  private staging: Promise<string> | undefined;
  private changed: boolean;
  private closed = false;

  private constructor(
    file: string,
    contents: { blobs: BlobMap; images: ArchiveImage[]; index: LayoutIndex },
    options: DockerArchiveOptions,
    created: boolean,
  ) {
    this.file = file;
    this.description = `docker-archive:${file}`;
    this.blobs = contents.blobs;
    this.images = contents.images;
    this.index = contents.index;
    this.options = options;
    // A new archive is written on close even when nothing was added.
    this.changed = created;
  }

  static async open(
    file: string,
    options: DockerArchiveOptions = {},
  ): Promise<DockerArchiveTarget> {
    const absolute = resolvePath(file);
    const exists = await archiveFileExists(
      absolute,
      'docker archive',
      options.create === true,
    );
    if (!exists) {
      const empty = { blobs: new Map(), images: [], index: emptyLayoutIndex() };
      return new DockerArchiveTarget(absolute, empty, options, true);
    }
    const read = await readDockerArchive(absolute, `docker-archive:${absolute}`);
    return new DockerArchiveTarget(absolute, read, options, false);
  }

  async resolve(tagOrDigest: string): Promise<Descriptor> {
    this.checkOpen();
    const digest = digestOrUndefined(tagOrDigest);
    if (digest !== undefined) {
      const image = this.images.find((i) => i.descriptor.digest.equals(digest));
      return image?.descriptor ?? resolveInLayout(this.index, this, tagOrDigest);
    }
    if (isReferrersTag(tagOrDigest))
      return resolveInLayout(this.index, this, tagOrDigest);
    const { repository } = this.options;
    const image = findImage(this.images, tagOrDigest, this.description, repository);
    if (image === undefined)
      throw noSuchImage(this.images, tagOrDigest, this.description);
    return image.descriptor;
  }

  async fetch(descriptor: Descriptor): Promise<Readable> {
    this.checkOpen();
    return fetchStream(this.blobs, descriptor, this.description);
  }

  async fetchBytes(descriptor: Descriptor, limit?: number): Promise<Uint8Array> {
    this.checkOpen();
    return fetchWhole(this.blobs, descriptor, this.description, limit);
  }

  async exists(descriptor: Descriptor): Promise<boolean> {
    return (await this.blobSize(descriptor.digest)) === descriptor.size;
  }

  async blobSize(digest: Digest): Promise<number | undefined> {
    this.checkOpen();
    return this.blobs.get(digest.toString())?.size;
  }

  /** The images as manifest.json will list them, changes not yet written included. */
  listImages(): readonly ArchiveImage[] {
    return this.images;
  }

  async tags(): Promise<string[]> {
    return imageTags(this.images);
  }

  async referrers(subject: Digest, artifactType?: string): Promise<Descriptor[]> {
    const fallback = findByRefName(
      this.index,
      subject.toReferrersTag(),
      this.description,
    );
    const roots = [
      ...this.images.map((i) => i.descriptor),
      ...this.index.entries.map((e) => e.descriptor),
    ];
    const scan = {
      roots,
      fallback: fallback?.descriptor,
      fetchBytes: (d: Descriptor) => this.fetchBytes(d),
      exists: (d: Descriptor) => this.exists(d),
    };
    return scanReferrers(scan, subject, artifactType);
  }

  async push(descriptor: Descriptor, content: Uint8Array | Readable): Promise<void> {
    this.checkWritable();
    if (await this.exists(descriptor)) await drain(content);
    else await this.stage(descriptor, content);
    if (isManifestType(descriptor.mediaType) && descriptor.size <= MAX_MANIFEST_BYTES) {
      // Kept findable for referrers() as a layout keeps it: an unnamed entry.
      const referrer = asReferrer(descriptor, await this.fetchBytes(descriptor));
      if (referrer !== undefined) this.index = withUnnamedEntry(this.index, referrer);
    }
    this.changed = true;
  }

  private async stage(descriptor: Descriptor, content: Uint8Array | Readable) {
    // One promise, so pushes running side by side share one folder.
    this.staging ??= mkdtemp(join(tmpdir(), DOCKER_ARCHIVE_STAGING_PREFIX));
    const staging = await this.staging;
    await writeBlobAtomic(staging, descriptor, content, this.what(descriptor));
    const path = blobPath(staging, descriptor.digest);
    this.blobs.set(descriptor.digest.toString(), fileSource(path, descriptor.size));
  }

  /**
   * Points a RepoTags name at an image manifest. A referrers tag-schema
   * name (`sha256-<hex>`) is no image: it names its index in index.json
   * only, where OCI readers find it.
   */
  async tag(descriptor: Descriptor, tag: string): Promise<void> {
    this.checkWritable();
    if (isReferrersTag(tag)) {
      await checkTaggable(this, descriptor);
      this.index = withRefName(this.index, descriptor, tag);
    } else {
      await checkTaggable(this, descriptor);
      const repoTag = repoTagFor(tag, this.options.repository, this.description);
      await checkImageTaggable(
        await this.fetchBytes(descriptor),
        descriptor,
        this.description,
      );
      this.images = withRepoTag(this.images, descriptor, repoTag);
    }
    this.changed = true;
  }

  /** Writes the archive when anything changed, then removes the staging folder. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.changed && this.options.readOnly !== true) {
        const state = {
          blobs: this.blobs,
          images: this.images,
          index: this.index,
          where: this.description,
        };
        await packArchive(await dockerArchiveEntries(state), this.file);
      }
    } finally {
      this.closed = true;
      const staging = await this.staging?.catch(() => undefined);
      if (staging !== undefined) await rm(staging, { recursive: true, force: true });
    }
  }

  private checkWritable(): void {
    this.checkOpen();
    if (this.options.readOnly === true) throw readOnlyError(this.description);
  }

  private checkOpen(): void {
    if (!this.closed) return;
    throw new GantryError(ErrorCode.Usage, `${this.description} is already closed`);
  }

  private what(descriptor: Pick<Descriptor, 'digest'>): string {
    return `${descriptor.digest} in ${this.description}`;
  }
}
