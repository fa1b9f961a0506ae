import type { ImageConfig } from '../oci/config.js';
import type { ImageManifest } from '../oci/manifest.js';
import type { Platform } from '../oci/platform.js';
import type { RegistryClient } from '../registry/client.js';
import { type BaseCache, SCRATCH } from './base.js';
import type { BuildEvent, PlatformBuild } from './build-image.js';
import { cachedLayer } from './cache.js';
import type { LayerInput } from './entries.js';
import type { DeflatePool } from './gzip-pool.js';
import {
  annotate,
  appendLayers,
  type BuiltImage,
  rfc3339,
  setConfig,
  setCreated,
  startImage,
} from './image.js';
import { type LayerCompression, resolveEpoch } from './layer-options.js';
import type { LayerUpload } from './layer-upload.js';
import type { OverlayTarget } from './overlay.js';
import { hostPlatform, platformArgs, substituteInput } from './platform-args.js';

/** The settings of buildImages with its defaults filled in. */
export interface PlatformSettings {
  client: RegistryClient;
  compression: LayerCompression;
  level?: number;
  epoch?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  cacheDir: string | false;
  /** Base reads shared by every platform and image of the call. */
  bases: BaseCache;
  buildPlatform?: Platform;
  /** gzip pool shared by every layer of the build. */
  pool?: DeflatePool;
  /** Opens an upload of a layer while it is built (layer-upload.ts). */
  upload?: () => Promise<LayerUpload | undefined>;
  onEvent?: (event: BuildEvent) => void;
}

/** Where a platform's blobs go: the overlay serves them; `owned` temp files. */
export interface PlatformSink {
  overlay: OverlayTarget;
  owned: string[];
}

/**
 * One platform's image: the base, then each step, then the build-wide
 * labels, `created` and annotations. The epoch is the image's `created` and
 * every history entry's, so nothing about the clock reaches a digest.
 */
export async function buildPlatform(
  build: PlatformBuild,
  settings: PlatformSettings,
  sink: PlatformSink,
): Promise<{ manifest: ImageManifest; config: ImageConfig }> {
  const epoch = resolveEpoch(settings.epoch);
  const created = rfc3339(new Date(epoch * 1000));
  const { platform } = build;
  const base = await settings.bases.resolve(build.base, platform, settings.client);
  settings.onEvent?.({
    type: 'base',
    platform,
    ref: build.base,
    digest: base.manifest.digest,
  });

  const ref = { ref: base.ref, source: base.source, manifest: base.manifest };
  let image = startImage(
    base.manifest,
    base.config,
    base.family,
    build.base === SCRATCH ? undefined : ref,
  );
  for (const layer of base.manifest.layers)
    sink.overlay.addBase(layer.digest, base.source);
  if (build.initialConfig !== undefined) image = setConfig(image, build.initialConfig);

  const args = platformArgs(platform, settings.buildPlatform ?? hostPlatform());
  for (const step of build.steps) {
    const history = { createdBy: step.createdBy, created };
    if (step.kind === 'config') {
      image = setConfig(image, step.changes, history);
      continue;
    }
    const inputs = step.inputs.map((input) => substituteInput(input, args));
    image = await addLayer(image, inputs, history, { ...settings, epoch }, sink);
  }

  if (settings.labels !== undefined)
    image = setConfig(image, { Labels: settings.labels });
  image = setCreated(image, new Date(epoch * 1000));
  if (settings.annotations !== undefined) image = annotate(image, settings.annotations);
  settings.onEvent?.({ type: 'image', platform, digest: image.manifest.digest });
  return { manifest: image.manifest, config: image.config };
}

async function addLayer(
  image: BuiltImage,
  inputs: readonly LayerInput[],
  history: { createdBy: string; created: string },
  settings: PlatformSettings & { epoch: number },
  sink: PlatformSink,
): Promise<BuiltImage> {
  const layer = await cachedLayer(inputs, {
    compression: settings.compression,
    ...(settings.level === undefined ? {} : { level: settings.level }),
    epoch: settings.epoch,
    family: image.family,
    cacheDir: settings.cacheDir,
    ...(settings.pool === undefined ? {} : { pool: settings.pool }),
    ...(settings.upload === undefined ? {} : { upload: settings.upload }),
  });
  if (layer.owned) sink.owned.push(layer.path);
  sink.overlay.addFile(layer.digest, layer.path);

  const platform = image.config.platform;
  const { digest, size, cached } = layer;
  const createdBy = history.createdBy;
  settings.onEvent?.({ type: 'layer', platform, digest, size, cached, createdBy });
  return appendLayers(image, [layer], [history]);
}
