import { rm } from 'node:fs/promises';
import { copyImage } from '../copy/copy.js';
import type { CopyEvent, CopyResult } from '../copy/types.js';
import type { ImageConfig } from '../oci/config.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import {
  describeManifest,
  type ImageIndex,
  type ImageManifest,
} from '../oci/manifest.js';
import type { Platform } from '../oci/platform.js';
import type { Reference } from '../reference/reference.js';
import type { RegistryClient } from '../registry/client.js';
import { MemoryTarget } from '../store/memory.js';
import { RegistryTarget } from '../store/registry-target.js';
import type { ReadTarget, WriteTarget } from '../store/target.js';
import { BaseCache } from './base.js';
import { checkPlatforms, indexOf } from './build-image-index.js';
import { buildPlatform } from './build-image-platform.js';
import { defaultCacheDir } from './cache.js';
import type { ConfigChanges } from './config.js';
import type { LayerInput } from './entries.js';
import { DeflatePool } from './gzip-pool.js';
import type { LayerCompression } from './layer-options.js';
import { LayerUpload } from './layer-upload.js';
import { OverlayTarget } from './overlay.js';

/**
 * Multi-platform image builds: one image per platform, each on its own
 * base (read by manifest and config only), staged in memory and on disk
 * and published by one copy (`pushBuild`). Times that reach digests come
 * from the epoch, so the same inputs give the same digests anywhere.
 */

type PlatformImage = Awaited<ReturnType<typeof buildPlatform>>;

/** One platform's image: a base and the steps applied to it, in order. */
export interface PlatformBuild {
  platform: Platform;
  /** `scratch`, or any reference `openTarget` reads. */
  base: string;
  /**
   * Config set on the base before the first step, with no history entry:
   * what a Dockerfile stage starts from beyond its base's own config
   * (BuildKit's default PATH, dockerfile-stage.ts).
   */
  initialConfig?: ConfigChanges;
  steps: BuildStep[];
}

export type BuildStep =
  /** One new layer; `$TARGETARCH` etc. are substituted in its paths. */
  | { kind: 'layer'; inputs: LayerInput[]; createdBy: string }
  /** A config change: a history entry with `empty_layer: true`. */
  | { kind: 'config'; changes: ConfigChanges; createdBy: string };

export type BuildEvent =
  | { type: 'base'; platform: Platform; ref: string; digest: Digest }
  | {
      type: 'layer';
      platform: Platform;
      digest: Digest;
      size: number;
      /** True when the layer came from the cache: nothing was compressed. */
      cached: boolean;
      createdBy: string;
    }
  | { type: 'image'; platform: Platform; digest: Digest };

/** Layers are gzip unless asked: every runtime reads it. */
export const DEFAULT_BUILD_COMPRESSION: LayerCompression = 'gzip';

export interface BuildOptions {
  client: RegistryClient;
  /** Default DEFAULT_BUILD_COMPRESSION. */
  compression?: LayerCompression;
  level?: number;
  /** Seconds; SOURCE_DATE_EPOCH or DEFAULT_LAYER_EPOCH otherwise. */
  epoch?: number;
  /** Config labels set on every platform's image, after the steps. */
  labels?: Record<string, string>;
  /** Manifest annotations (OCI manifests only: Docker schema 2 has none). */
  annotations?: Record<string, string>;
  indexAnnotations?: Record<string, string>;
  /** Annotations on each platform's entry in the index (`manifests[].annotations`). */
  descriptorAnnotations?: Record<string, string>;
  /** Layer cache folder; default defaultCacheDir(); false for none. */
  cacheDir?: string | false;
  /**
   * Base reads to share with other builds (a release's images); without
   * it, the call's platforms share their own, so each base is read once.
   */
  bases?: BaseCache;
  /** Write an index even for one platform (platforms given as a list). */
  index?: boolean;
  /** BUILDPLATFORM; the machine's own otherwise. */
  buildPlatform?: Platform;
  /**
   * The registry repository the result will be pushed to: each layer that
   * is built (not taken from the cache) is uploaded there while it is
   * compressed, untagged (layer-upload.ts), so the push finds it present.
   */
  uploadLayersTo?: Reference;
  /**
   * The gzip pool the caller shares with other builds (and closes);
   * otherwise the build makes its own when it compresses with gzip.
   */
  pool?: DeflatePool;
  onEvent?: (event: BuildEvent) => void;
}

export interface BuiltManifest {
  platform: Platform;
  manifest: ImageManifest;
  config: ImageConfig;
}

export interface BuildResult {
  index?: ImageIndex;
  manifests: BuiltManifest[];
  /** Everything to publish: new blobs and manifests, base blobs where they are. */
  staging: ReadTarget;
  /**
   * The index when there is more than one platform or `options.index`,
   * else the one manifest.
   */
  root: Descriptor;
  /**
   * The layers uploaded while they were compressed (`uploadLayersTo`) and
   * the repository that holds them: a push there need not ask for them.
   */
  uploaded?: { repository: Reference; digests: ReadonlySet<string> };
  /** Removes the build's temp layer files (cache entries stay). */
  dispose(): Promise<void>;
}

export async function buildImages(
  builds: PlatformBuild[],
  options: BuildOptions,
): Promise<BuildResult> {
  checkPlatforms(builds);
  const staging = new MemoryTarget({ description: 'build staging' });
  const overlay = new OverlayTarget(staging);
  const owned: string[] = [];
  const dispose = async () => {
    await Promise.all(owned.map((path) => rm(path, { force: true })));
  };
  // One gzip pool for every layer: its limit on blocks deflated at once
  // holds across the layers of all platforms.
  const compression = options.compression ?? DEFAULT_BUILD_COMPRESSION;
  const ownPool = options.pool === undefined && compression === 'gzip';
  const pool = ownPool ? new DeflatePool() : options.pool;
  const target = options.uploadLayersTo;
  const stored = new Set<string>();
  const uploaded =
    target === undefined ? {} : { uploaded: { repository: target, digests: stored } };
  const settings = {
    ...options,
    compression,
    cacheDir: options.cacheDir ?? defaultCacheDir(),
    bases: options.bases ?? new BaseCache(),
    ...(pool === undefined ? {} : { pool }),
    ...(target === undefined
      ? {}
      : {
          upload: () =>
            LayerUpload.open(options.client, target, (digest) => stored.add(`${digest}`)),
        }),
  };

  try {
    // Platforms are built at once: while one layer's last blocks are
    // deflated, the other's first blocks keep the remaining threads busy.
    // Every platform settles before the pool and files go, even when one fails.
    const settled = await Promise.allSettled(
      builds.map((build) => buildPlatform(build, settings, { overlay, owned })),
    );
    const failed = settled.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const built = settled.map(
      (outcome) => (outcome as PromiseFulfilledResult<PlatformImage>).value,
    );
    const manifests: BuiltManifest[] = [];
    for (const image of built) {
      await staging.push(image.manifest.config, image.config.bytes);
      await staging.push(describeManifest(image.manifest), image.manifest.bytes);
      manifests.push({ platform: image.config.platform, ...image });
    }

    if (manifests.length === 1 && options.index !== true) {
      const only = manifests[0]!;
      return {
        manifests,
        staging: overlay,
        root: describeManifest(only.manifest),
        ...uploaded,
        dispose,
      };
    }
    const index = indexOf(
      manifests,
      options.indexAnnotations,
      options.descriptorAnnotations,
    );
    await staging.push(describeManifest(index), index.bytes);
    return {
      index,
      manifests,
      staging: overlay,
      root: describeManifest(index),
      ...uploaded,
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  } finally {
    if (ownPool) await pool?.close();
  }
}

/**
 * Publishes a build: one copy from the overlay, so new blobs are uploaded,
 * base layers are skipped, mounted or streamed from the base, and tags are
 * written last.
 */
export function pushBuild(
  result: BuildResult,
  destination: WriteTarget,
  tags: string[],
  options: { onEvent?: (event: CopyEvent) => void; concurrency?: number } = {},
): Promise<CopyResult> {
  const uploaded = result.uploaded;
  const sameRepository =
    uploaded !== undefined &&
    destination instanceof RegistryTarget &&
    destination.registry === uploaded.repository.registry &&
    destination.repository === uploaded.repository.repository;
  return copyImage(result.staging, `${result.root.digest}`, destination, tags, {
    ...options,
    referrers: false,
    // The layers went up while they were compressed; the configs are the
    // build's own, new unless the same inputs were pushed before.
    ...(sameRepository ? { present: uploaded.digests } : {}),
    uploadSmallUnasked: true,
  });
}
