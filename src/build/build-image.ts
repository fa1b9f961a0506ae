import { rm } from 'node:fs/promises';
import { copyImage } from '../copy/copy.js';
import type { CopyEvent, CopyResult } from '../copy/types.js';
import { ErrorCode, GantryError } from '../errors.js';
import type { ImageConfig } from '../oci/config.js';
import { createIndex } from '../oci/create.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import {
  describeManifest,
  type ImageIndex,
  type ImageManifest,
} from '../oci/manifest.js';
import { familyOf, MediaType } from '../oci/mediatype.js';
import { normalizePlatform, type Platform, platformToString } from '../oci/platform.js';
import type { RegistryClient } from '../registry/client.js';
import { MemoryTarget } from '../store/memory.js';
import type { ReadTarget, WriteTarget } from '../store/target.js';
import { buildPlatform } from './build-image-platform.js';
import { defaultCacheDir } from './cache.js';
import type { ConfigChanges } from './config.js';
import type { LayerInput } from './entries.js';
import type { LayerCompression } from './layer-options.js';
import { OverlayTarget } from './overlay.js';

/**
 * Multi-platform image builds: one image per platform, each on its own
 * base (read by manifest and config only), staged in memory and on disk
 * and published by one copy (`pushBuild`). Times that reach digests come
 * from the epoch, so the same inputs give the same digests anywhere.
 */

/** One platform's image: a base and the steps applied to it, in order. */
export interface PlatformBuild {
  platform: Platform;
  /** `scratch`, or any reference `openTarget` reads. */
  base: string;
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
  /** Write an index even for one platform (platforms given as a list). */
  index?: boolean;
  /** BUILDPLATFORM; the machine's own otherwise. */
  buildPlatform?: Platform;
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
  const settings = {
    ...options,
    compression: options.compression ?? DEFAULT_BUILD_COMPRESSION,
    cacheDir: options.cacheDir ?? defaultCacheDir(),
  };

  try {
    const manifests: BuiltManifest[] = [];
    for (const build of builds) {
      const built = await buildPlatform(build, settings, { overlay, owned });
      await staging.push(built.manifest.config, built.config.bytes);
      await staging.push(describeManifest(built.manifest), built.manifest.bytes);
      manifests.push({ platform: built.config.platform, ...built });
    }

    if (manifests.length === 1 && options.index !== true) {
      const only = manifests[0]!;
      return {
        manifests,
        staging: overlay,
        root: describeManifest(only.manifest),
        dispose,
      };
    }
    const index = indexOf(
      manifests,
      options.indexAnnotations,
      options.descriptorAnnotations,
    );
    await staging.push(describeManifest(index), index.bytes);
    return { index, manifests, staging: overlay, root: describeManifest(index), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** At least one build, and one per platform: an index holds each platform once. */
function checkPlatforms(builds: readonly PlatformBuild[]): void {
  if (builds.length === 0) {
    throw new GantryError(ErrorCode.Usage, 'nothing to build: no platform given', {
      hint: 'give at least one platform, e.g. linux/amd64',
    });
  }
  const seen = new Set<string>();
  for (const { platform } of builds) {
    const name = platformToString(normalizePlatform(platform));
    if (seen.has(name)) {
      throw new GantryError(ErrorCode.Usage, `platform ${name} is given twice`, {
        hint: 'list each platform once',
      });
    }
    seen.add(name);
  }
}

/**
 * An OCI index, or a Docker manifest list when every image is Docker schema
 * 2 and no annotation is asked for (a list and its entries have none).
 * Descriptor annotations follow image-spec image-index.md `manifests[]`.
 */
function indexOf(
  manifests: BuiltManifest[],
  annotations: Record<string, string> | undefined,
  onDescriptors: Record<string, string> | undefined,
): ImageIndex {
  const allDocker = manifests.every((m) => familyOf(m.manifest.mediaType) === 'docker');
  const mediaType =
    allDocker && annotations === undefined && onDescriptors === undefined
      ? MediaType.DockerManifestList
      : MediaType.OciIndex;
  const extra = onDescriptors === undefined ? {} : { annotations: onDescriptors };
  return createIndex({
    mediaType,
    manifests: manifests.map((m) =>
      describeManifest(m.manifest, { platform: m.platform, ...extra }),
    ),
    ...(annotations === undefined ? {} : { annotations }),
  });
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
  return copyImage(result.staging, `${result.root.digest}`, destination, tags, {
    ...options,
    referrers: false,
  });
}
