import { type ImageConfig, parseImageConfig } from '../oci/config.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { ImageManifest } from '../oci/manifest.js';
import type { MediaTypeFamily } from '../oci/mediatype.js';
import type { ReadTarget } from '../store/target.js';
import { type ApplyContext, applyConfigChanges, type ConfigChanges } from './config.js';
import { configObject, encodeConfig, isObject, type JsonObject } from './config-json.js';
import { compressionOf, writeManifest } from './image-manifest.js';
import type { LayerResult } from './layer.js';
import { layerMediaType } from './layer-options.js';

/**
 * Images in memory, changed by pure transformations: each function takes
 * an image and returns a new one, never touching its input. The config is
 * re-serialised deterministically (config-json.ts) after every change and
 * the manifest rebuilt around it, so `manifest` and `config` are always
 * exact bytes that agree with each other.
 */

/** A layer made by this build: its blob is a file on disk until pushed. */
export interface LayerBlob {
  descriptor: Descriptor;
  diffId: Digest;
  uncompressedSize: number;
  /** The blob file (a temp file, or a cache entry). */
  path: string;
}

/** Where a base image came from; its layers stay there. */
export interface BaseRef {
  /** As the user wrote it: `alpine:3.20`, `oci:./layout:tag`. */
  ref: string;
  source: ReadTarget;
  /** The base's manifest for this platform. */
  manifest: ImageManifest;
}

export interface BuiltImage {
  readonly manifest: ImageManifest;
  /** Exact bytes plus the parsed view. */
  readonly config: ImageConfig;
  /** Layers made by this build, in order, after the base's. */
  readonly layers: readonly LayerBlob[];
  readonly base?: BaseRef;
  /** The family every new layer and the manifest belong to (BR-08). */
  readonly family: MediaTypeFamily;
  /** Whether Cmd was set by this build (see ConfigChanges.Entrypoint). */
  readonly cmdSetHere: boolean;
}

/** A history entry for a build step (image-spec config.md, "history"). */
export interface HistoryInput {
  createdBy: string;
  comment?: string;
  /** RFC 3339; the image's `created` is the usual choice. */
  created?: string;
}

/** The image a build starts from: the base's manifest and config as they are. */
export function startImage(
  manifest: ImageManifest,
  config: ImageConfig,
  family: MediaTypeFamily,
  base?: BaseRef,
): BuiltImage {
  return {
    manifest,
    config,
    layers: [],
    family,
    cmdSetHere: false,
    ...(base === undefined ? {} : { base }),
  };
}

/**
 * Appends layers, each with its history entry (`history[i]` for
 * `layers[i]`). A layer's media type is rewritten to the image's family
 * (BR-08: an OCI manifest with a Docker layer, or the reverse, is refused
 * by podman, skopeo and CRI-O); its diff ID goes to `rootfs.diff_ids`.
 */
export function appendLayers(
  image: BuiltImage,
  layers: readonly (LayerResult & { path: string })[],
  history: readonly HistoryInput[],
): BuiltImage {
  const blobs: LayerBlob[] = layers.map((layer) => ({
    descriptor: {
      mediaType: layerMediaType(image.family, compressionOf(layer.mediaType)),
      digest: layer.digest,
      size: layer.size,
    },
    diffId: layer.diffId,
    uncompressedSize: layer.uncompressedSize,
    path: layer.path,
  }));

  const raw = configObject(image.config.bytes);
  const rootfs = isObject(raw.rootfs) ? raw.rootfs : { type: 'layers' };
  const ids = Array.isArray(rootfs.diff_ids) ? rootfs.diff_ids : [];
  raw.rootfs = { ...rootfs, diff_ids: [...ids, ...blobs.map((b) => `${b.diffId}`)] };
  raw.history = [...historyOf(raw), ...history.map((h) => historyJson(h, false))];

  const layerDescriptors = [...image.manifest.layers, ...blobs.map((b) => b.descriptor)];
  return rebuild(
    { ...image, layers: [...image.layers, ...blobs] },
    raw,
    layerDescriptors,
  );
}

/** Changes the container config; with `history`, records an empty-layer step. */
export function setConfig(
  image: BuiltImage,
  changes: ConfigChanges,
  history?: HistoryInput,
): BuiltImage {
  const raw = configObject(image.config.bytes);
  const context: ApplyContext = { cmdSetHere: image.cmdSetHere };
  const current = isObject(raw.config) ? raw.config : {};
  const applied = applyConfigChanges(current, changes, context);
  raw.config = applied.config;
  if (history !== undefined)
    raw.history = [...historyOf(raw), historyJson(history, true)];
  return rebuild({ ...image, cmdSetHere: applied.cmdSetHere }, raw);
}

/** Records a step that made no layer (`empty_layer: true`). */
export function addHistory(image: BuiltImage, history: HistoryInput): BuiltImage {
  const raw = configObject(image.config.bytes);
  raw.history = [...historyOf(raw), historyJson(history, true)];
  return rebuild(image, raw);
}

/** Sets the config's `created` (RFC 3339, as image-spec config.md asks). */
export function setCreated(image: BuiltImage, date: Date): BuiltImage {
  const raw = configObject(image.config.bytes);
  raw.created = rfc3339(date);
  return rebuild(image, raw);
}

/** Adds manifest annotations (image-spec annotations.md); later keys win. */
export function annotate(
  image: BuiltImage,
  annotations: Record<string, string>,
): BuiltImage {
  const merged = { ...(image.manifest.annotations ?? {}), ...annotations };
  const { mediaType, config, layers } = image.manifest;
  const manifest = writeManifest(mediaType, config, layers, merged);
  return { ...image, manifest };
}

/** RFC 3339 in UTC with whole seconds (`1970-01-01T00:00:00Z`), as docker writes. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.[0-9]{3}Z$/, 'Z');
}

function rebuild(
  image: BuiltImage,
  raw: JsonObject,
  layers: readonly Descriptor[] = image.manifest.layers,
): BuiltImage {
  const bytes = encodeConfig(raw);
  const config = parseImageConfig(bytes, { where: 'built image config' });
  const descriptor: Descriptor = {
    mediaType: image.manifest.config.mediaType,
    digest: config.digest,
    size: config.size,
  };
  const { mediaType, annotations } = image.manifest;
  const manifest = writeManifest(mediaType, descriptor, layers, annotations);
  return { ...image, config, manifest };
}

function historyOf(raw: JsonObject): unknown[] {
  return Array.isArray(raw.history) ? raw.history : [];
}

function historyJson(entry: HistoryInput, emptyLayer: boolean): JsonObject {
  return {
    ...(entry.created === undefined ? {} : { created: entry.created }),
    created_by: entry.createdBy,
    ...(entry.comment === undefined ? {} : { comment: entry.comment }),
    ...(emptyLayer ? { empty_layer: true } : {}),
  };
}
