import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Digest, type DigestHasher } from '../oci/digest.js';
import type { MediaTypeFamily } from '../oci/mediatype.js';
import type { LayerInput } from './entries.js';
import { planEntries } from './entries-plan.js';
import { ParallelGzip } from './gzip-parallel.js';
import type { DeflatePool } from './gzip-pool.js';
import { type LayerCompression, layerMediaType, resolveEpoch } from './layer-options.js';
import { type LayerUpload, uploadStage } from './layer-upload.js';
import { tarChunks } from './tar-write.js';

export interface LayerResult {
  mediaType: string;
  /** Digest of the blob as stored (compressed). */
  digest: Digest;
  /** Size of the blob in bytes. */
  size: number;
  /** Digest of the uncompressed tar (image-spec config.md, `rootfs.diff_ids`). */
  diffId: Digest;
  uncompressedSize: number;
  /** The blob's temp file when no sink was given; the caller removes it. */
  path?: string;
}

export interface BuildLayerOptions {
  compression: LayerCompression;
  /** gzip 0-9 or zstd 1-19; each format's usual default otherwise. */
  level?: number;
  /** Entry time in seconds; SOURCE_DATE_EPOCH or DEFAULT_LAYER_EPOCH otherwise. */
  epoch?: number;
  /** Which media type names the layer; `oci` unless given. */
  family?: MediaTypeFamily;
  /** Receives the blob and is ended; a temp file in `tempDir` otherwise. */
  sink?: Writable;
  /** Folder for the blob's temp file and scratch files; os.tmpdir() otherwise. */
  tempDir?: string;
  /** gzip blocks deflated at once; one per core otherwise. */
  workers?: number;
  /** gzip pool shared with other layers built at the same time. */
  pool?: DeflatePool;
  /**
   * Opens an upload of the blob to a registry while it is compressed
   * (layer-upload.ts); called only when the layer is really built.
   */
  upload?: () => Promise<LayerUpload | undefined>;
}

/**
 * Builds one layer blob from `inputs` in a single pass: the tar is hashed
 * (diff ID), compressed, and the compressed bytes hashed and counted (digest,
 * size) on their way to the sink. Same inputs and options, same bytes: no
 * time, owner name, folder location or directory order reaches the blob.
 */
export async function buildLayer(
  inputs: readonly LayerInput[],
  options: BuildLayerOptions,
): Promise<LayerResult> {
  const mediaType = layerMediaType(options.family ?? 'oci', options.compression);
  const epoch = resolveEpoch(options.epoch);
  const tempDir = options.tempDir ?? tmpdir();
  const scratch = await mkdtemp(join(tempDir, 'gantry-layer-'));
  const path =
    options.sink === undefined
      ? join(tempDir, `gantry-layer-${randomUUID()}`)
      : undefined;

  // The upload session opens while the entries are listed and the first
  // blocks are compressed; bytes wait for it in the upload stage.
  const opening = options.upload?.().catch(() => undefined);
  try {
    const entries = await planEntries(inputs, scratch);
    const sink = options.sink ?? createWriteStream(path!, { flags: 'wx' });
    const diffHasher = Digest.hasher();
    const blobHasher = Digest.hasher();
    const stages: (Readable | Transform | Writable)[] = [
      Readable.from(tarChunks(entries, epoch), { objectMode: false }),
      hashing(diffHasher),
    ];
    const compressor = await compressorFor(options);
    if (compressor !== undefined) stages.push(compressor, hashing(blobHasher));
    if (opening !== undefined) stages.push(uploadStage(opening));
    stages.push(sink);
    await pipeline(stages);

    const diffId = diffHasher.digest();
    const blob = compressor === undefined ? undefined : blobHasher;
    const digest = blob === undefined ? diffId : blob.digest();
    await (await opening)?.finish(digest);
    return {
      mediaType,
      digest,
      size: blob === undefined ? diffHasher.size : blob.size,
      diffId,
      uncompressedSize: diffHasher.size,
      ...(path === undefined ? {} : { path }),
    };
  } catch (error) {
    await (await opening)?.abort();
    if (path !== undefined) await rm(path, { force: true });
    throw error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function compressorFor(options: BuildLayerOptions): Promise<Transform | undefined> {
  const { level, workers, pool } = options;
  if (options.compression === 'gzip') return new ParallelGzip({ level, workers, pool });
  if (options.compression === 'zstd') {
    // Loaded on use: the WASM module is not needed for gzip layers.
    const { ZstdFrames } = await import('./zstd.js');
    return new ZstdFrames({ level });
  }
  return undefined;
}

/** A pass-through stage that feeds every byte to `hasher`. */
function hashing(hasher: DigestHasher): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hasher.update(chunk);
      done(null, chunk);
    },
  });
}
