import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { Readable } from 'node:stream';
import { ErrorCode, GantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { MAX_MANIFEST_BYTES } from '../oci/manifest.js';
import { isManifestType } from '../oci/mediatype.js';
import { type ArchiveEntry, readArchiveEntry } from './archive-index.js';
import { type ArchiveContents, archiveFileExists, readArchive } from './archive-open.js';
import { type PackEntry, packArchive } from './archive-write.js';
import { blobPath, INDEX_FILE, LAYOUT_FILE, writeBlobAtomic } from './layout-files.js';
import {
  emptyLayoutIndex,
  findByRefName,
  type LayoutIndex,
  refNames,
  serializeLayoutIndex,
  withRefName,
  withUnnamedEntry,
} from './layout-index.js';
import { layoutHeaderBytes } from './layout-open.js';
import { checkTaggable, readOnlyError, resolveInLayout } from './layout-resolve.js';
import { assertLayoutRefName, notFound } from './names.js';
import { asReferrer, scanReferrers } from './referrers.js';
import type { TargetKind, WriteTarget } from './target.js';
import {
  checkLimit,
  collectVerified,
  drain,
  sizeMismatch,
  verifiedStream,
} from './verify.js';

/**
 * An OCI archive: a tar of an OCI image layout (what `skopeo copy
 * oci-archive:` and BuildKit's `type=oci` exporter write). Opening it
 * indexes the tar in one pass (archive-index.ts); blobs are then read from
 * their ranges of the file. Pushed blobs go to a staging folder in the temp
 * folder and tags change index.json in memory; `close()` writes a new
 * archive holding both (archive-write.ts) when anything changed, and
 * removes the staging folder. Call `close()` whenever something was
 * written, or nothing is saved.
 *
 * One archive has one writer: the file is replaced whole on close, so of
 * two processes writing the same archive the last to close wins.
 */

export interface OciArchiveOptions {
  /** Start an empty archive when the file does not exist. */
  create?: boolean;
  /** Refuse every write; `close()` never rewrites the file. */
  readOnly?: boolean;
}

/** The prefix of staging folders, so a leftover one says what made it. */
export const STAGING_PREFIX = 'gantry-oci-archive-';

type Opened = ArchiveContents & { created: boolean };

export class OciArchiveTarget implements WriteTarget {
  readonly kind: TargetKind = 'oci-archive';
  readonly description: string;
  readonly file: string;
  private readonly entries: Map<string, ArchiveEntry>;
  private readonly readOnly: boolean;
  private index: LayoutIndex;
  /** The folder pushed blobs are written to, made on the first push. */
  private staging: Promise<string> | undefined;
  private readonly staged = new Map<string, PackEntry>();
  private changed: boolean;
  private closed = false;

  private constructor(file: string, opened: Opened, readOnly: boolean) {
    this.file = file;
    this.description = `oci-archive:${file}`;
    this.entries = opened.entries;
    this.index = opened.index;
    this.readOnly = readOnly;
    // A new archive is written on close even when nothing was added.
    this.changed = opened.created;
  }

  static async open(
    file: string,
    options: OciArchiveOptions = {},
  ): Promise<OciArchiveTarget> {
    const absolute = resolvePath(file);
    const exists = await archiveFileExists(
      absolute,
      'OCI archive',
      options.create === true,
    );
    const opened: Opened = exists
      ? { ...(await readArchive(absolute)), created: false }
      : { entries: new Map(), index: emptyLayoutIndex(), created: true };
    return new OciArchiveTarget(absolute, opened, options.readOnly === true);
  }

  async resolve(tagOrDigest: string): Promise<Descriptor> {
    this.checkOpen();
    return resolveInLayout(this.index, this, tagOrDigest);
  }

  async fetch(descriptor: Descriptor): Promise<Readable> {
    const source = await this.openBlob(descriptor);
    return verifiedStream(source, descriptor, this.what(descriptor));
  }

  async fetchBytes(descriptor: Descriptor, limit?: number): Promise<Uint8Array> {
    checkLimit(descriptor, limit, this.what(descriptor));
    const source = await this.openBlob(descriptor);
    return collectVerified(source, descriptor, this.what(descriptor));
  }

  async exists(descriptor: Descriptor): Promise<boolean> {
    return (await this.blobSize(descriptor.digest)) === descriptor.size;
  }

  async blobSize(digest: Digest): Promise<number | undefined> {
    this.checkOpen();
    const name = blobName(digest);
    return this.staged.get(name)?.size ?? this.entries.get(name)?.size;
  }

  /** Its index.json as it stands, changes not yet written included. */
  async readIndex(): Promise<LayoutIndex> {
    this.checkOpen();
    return this.index;
  }

  async tags(): Promise<string[]> {
    this.checkOpen();
    return refNames(this.index);
  }

  async referrers(subject: Digest, artifactType?: string): Promise<Descriptor[]> {
    this.checkOpen();
    const fallback = findByRefName(
      this.index,
      subject.toReferrersTag(),
      this.description,
    );
    const scan = {
      roots: this.index.entries.map((e) => e.descriptor),
      fallback: fallback?.descriptor,
      fetchBytes: (d: Descriptor) => this.fetchBytes(d),
      exists: (d: Descriptor) => this.exists(d),
    };
    return scanReferrers(scan, subject, artifactType);
  }

  async push(descriptor: Descriptor, content: Uint8Array | Readable): Promise<void> {
    this.checkWritable();
    if (await this.exists(descriptor)) {
      await drain(content);
    } else {
      await this.stage(descriptor, content);
      this.changed = true;
    }
    await this.keepReferrer(descriptor);
  }

  /** As in a layout folder: a manifest with a subject gets an unnamed entry. */
  private async keepReferrer(descriptor: Descriptor): Promise<void> {
    if (!isManifestType(descriptor.mediaType) || descriptor.size > MAX_MANIFEST_BYTES) {
      return;
    }
    const referrer = asReferrer(descriptor, await this.fetchBytes(descriptor));
    if (referrer === undefined) return;
    const next = withUnnamedEntry(this.index, referrer);
    if (next === this.index) return;
    this.index = next;
    this.changed = true;
  }

  private async stage(descriptor: Descriptor, content: Uint8Array | Readable) {
    // One folder however many pushes run at once: the promise is kept at once.
    this.staging ??= mkdtemp(join(tmpdir(), STAGING_PREFIX));
    const folder = await this.staging;
    const path = blobPath(folder, descriptor.digest);
    await writeBlobAtomic(folder, descriptor, content, this.what(descriptor));
    const name = blobName(descriptor.digest);
    this.staged.set(name, {
      name,
      size: descriptor.size,
      open: () => createReadStream(path),
    });
  }

  async tag(descriptor: Descriptor, tag: string): Promise<void> {
    this.checkWritable();
    assertLayoutRefName(tag, this.description);
    await checkTaggable(this, descriptor);
    this.index = withRefName(this.index, descriptor, tag);
    this.changed = true;
  }

  /** Writes the archive when anything changed, then removes the staging folder. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.changed && !this.readOnly)
        await packArchive(this.packEntries(), this.file);
    } finally {
      this.closed = true;
      const staging = await this.staging?.catch(() => undefined);
      if (staging !== undefined) await rm(staging, { recursive: true, force: true });
    }
  }

  /** What the new archive holds: the old entries, then staged blobs over them. */
  private packEntries(): PackEntry[] {
    const entries = new Map<string, PackEntry>();
    for (const entry of this.entries.values()) {
      entries.set(entry.name, {
        name: entry.name,
        size: entry.size,
        open: () => readArchiveEntry(this.file, entry),
      });
    }
    const header = layoutHeaderBytes();
    if (!entries.has(LAYOUT_FILE))
      entries.set(LAYOUT_FILE, bytesEntry(LAYOUT_FILE, header));
    const index = serializeLayoutIndex(this.index);
    entries.set(INDEX_FILE, bytesEntry(INDEX_FILE, index));
    for (const [name, staged] of this.staged) entries.set(name, staged);
    return [...entries.values()];
  }

  private async openBlob(descriptor: Descriptor): Promise<Readable> {
    const size = await this.blobSize(descriptor.digest);
    if (size === undefined) throw notFound(`blob ${descriptor.digest}`, this.description);
    if (size !== descriptor.size)
      throw sizeMismatch(this.what(descriptor), descriptor, size);

    const staged = this.staged.get(blobName(descriptor.digest));
    if (staged !== undefined) return staged.open();
    return readArchiveEntry(this.file, this.entries.get(blobName(descriptor.digest))!);
  }

  private checkWritable(): void {
    this.checkOpen();
    if (this.readOnly) throw readOnlyError(this.description);
  }

  private checkOpen(): void {
    if (!this.closed) return;
    throw new GantryError(ErrorCode.Usage, `${this.description} is already closed`);
  }

  private what(descriptor: Pick<Descriptor, 'digest'>): string {
    return `${descriptor.digest} in ${this.description}`;
  }
}

/** image-layout.md, "Blobs": the name of a blob inside the layout. */
function blobName(digest: Digest): string {
  return `blobs/${digest.algorithm}/${digest.hex}`;
}

function bytesEntry(name: string, bytes: Uint8Array): PackEntry {
  return { name, size: bytes.byteLength, open: () => Readable.from([bytes]) };
}
