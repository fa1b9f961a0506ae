import type { ImageConfig } from '../oci/config.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { ImageManifest } from '../oci/manifest.js';
import type { ReadTarget } from '../store/target.js';
import { attested, without } from './diff-attestations.js';
import { type ImageEntry, imageEntries, missingPieces } from './diff-entries.js';
import {
  diffFields,
  diffMaps,
  type FieldChange,
  isEmptyMapDiff,
  type MapDiff,
} from './diff-maps.js';
import { type ImageTree, readImage } from './read-image.js';

/**
 * What differs between two images: the root's media type and annotations,
 * the platforms on each side, and for each platform both have its
 * manifest's media type, the config fields, the labels and the layers by
 * position. Only manifests and configs are read, never layers.
 *
 * A child manifest or config one side lacks (a registry that lost it, a
 * layout with a deleted blob) is itself a difference, listed in `missing`;
 * everything else is still compared. Only a root that cannot be read fails.
 */

export interface ImageSide {
  target: ReadTarget;
  descriptor: Descriptor;
}

export interface LayerInfo {
  digest: string;
  mediaType: string;
  size: number;
}

export interface LayerChange {
  /** Position from the bottom, 0-based. */
  index: number;
  change: 'added' | 'removed' | 'changed';
  a?: LayerInfo;
  b?: LayerInfo;
}

export interface PlatformDiff {
  platform: string;
  digest?: { a: string; b: string };
  mediaType?: { a: string; b: string };
  /** The config descriptor's media type (a Docker v2 conversion changes it). */
  configMediaType?: { a: string; b: string };
  config: FieldChange[];
  labels: MapDiff;
  layers: LayerChange[];
  /** Total layer bytes on each side, when they differ. */
  size?: { a: number; b: number };
}

export interface ImageDiff {
  same: boolean;
  digest: { a: string; b: string };
  mediaType?: { a: string; b: string };
  annotations: MapDiff;
  platforms: { added: string[]; removed: string[] };
  /**
   * Attestation manifests only one side has, each named by the platform it
   * describes (its subject's digest when the subject is no platform of the index).
   */
  attestations: { added: string[]; removed: string[] };
  /** Platforms both images have and that differ. */
  changed: PlatformDiff[];
  /** Child manifests and configs a side names but does not hold. */
  missing: MissingPiece[];
}

/** A child manifest or config that one side's image names and lacks. */
export interface MissingPiece {
  side: 'a' | 'b';
  /** The platform, when the index entry or the other side tells it. */
  platform?: string;
  digest: string;
  what: 'manifest' | 'config';
}

/** Config fields compared (image-spec config.md, "Properties" and "config"). */
const CONFIG_FIELDS = [
  'User',
  'Env',
  'Entrypoint',
  'Cmd',
  'WorkingDir',
  'ExposedPorts',
  'Volumes',
  'StopSignal',
] as const;

export async function diffImages(a: ImageSide, b: ImageSide): Promise<ImageDiff> {
  const [left, right] = await Promise.all([
    readImage(a.target, a.descriptor, { tolerant: true }),
    readImage(b.target, b.descriptor, { tolerant: true }),
  ]);
  return compareTrees(left, right);
}

export function compareTrees(a: ImageTree, b: ImageTree): ImageDiff {
  const [left, right] = [imageEntries(a, b), imageEntries(b, a)];
  const names = (entries: ImageEntry[]) =>
    entries.flatMap((entry) => (entry.platform === undefined ? [] : [entry.platform]));
  const changed: PlatformDiff[] = [];
  for (const entry of left) {
    const other = right.find((candidate) => candidate.platform === entry.platform);
    const diff = other === undefined ? undefined : comparePlatforms(entry, other);
    if (diff !== undefined) changed.push(diff);
  }
  const missing = [...missingPieces(left, 'a'), ...missingPieces(right, 'b')];
  const diff: ImageDiff = {
    same: a.root.digest.equals(b.root.digest) && missing.length === 0,
    digest: { a: a.root.digest.toString(), b: b.root.digest.toString() },
    ...pair('mediaType', a.root.mediaType, b.root.mediaType),
    annotations: diffMaps(a.root.annotations, b.root.annotations),
    platforms: {
      added: names(right).filter((name) => !names(left).includes(name)),
      removed: names(left).filter((name) => !names(right).includes(name)),
    },
    attestations: {
      added: without(attested(b), attested(a)),
      removed: without(attested(a), attested(b)),
    },
    changed,
    missing,
  };
  return diff;
}

/**
 * The differences of one platform both sides have. Without a manifest on a
 * side there is nothing to compare (it is in `missing`); without a config,
 * the manifests still are, but not config fields and labels.
 */
function comparePlatforms(a: ImageEntry, b: ImageEntry): PlatformDiff | undefined {
  const [left, right] = [a.manifest, b.manifest];
  if (left === undefined || right === undefined) return undefined;
  if (left.digest.equals(right.digest)) return undefined;
  const size = (manifest: ImageManifest) =>
    manifest.layers.reduce((total, layer) => total + layer.size, 0);
  const [sizeA, sizeB] = [size(left), size(right)];
  const [configA, configB] = [a.config, b.config];
  const configs = configA !== undefined && configB !== undefined;
  return {
    platform: a.platform ?? b.platform ?? '',
    digest: { a: left.digest.toString(), b: right.digest.toString() },
    ...pair('mediaType', left.mediaType, right.mediaType),
    ...pair('configMediaType', left.config.mediaType, right.config.mediaType),
    config: configs ? compareConfigs(configA, configB) : [],
    labels: configs ? diffMaps(configA.config.Labels, configB.config.Labels) : diffMaps(),
    layers: compareLayers(left.layers, right.layers),
    ...(sizeA === sizeB ? {} : { size: { a: sizeA, b: sizeB } }),
  };
}

function compareConfigs(a: ImageConfig, b: ImageConfig): FieldChange[] {
  return diffFields(
    { ...a.config, ...platformFields(a) },
    { ...b.config, ...platformFields(b) },
    [...CONFIG_FIELDS, 'os', 'architecture', 'variant'],
  );
}

function platformFields(config: ImageConfig): Record<string, unknown> {
  const { os, architecture, variant } = config;
  return { os, architecture, variant };
}

function compareLayers(
  a: readonly Descriptor[],
  b: readonly Descriptor[],
): LayerChange[] {
  const changes: LayerChange[] = [];
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const left = a[index] === undefined ? undefined : layerInfo(a[index]!);
    const right = b[index] === undefined ? undefined : layerInfo(b[index]!);
    if (left === undefined) changes.push({ index, change: 'added', b: right! });
    else if (right === undefined) changes.push({ index, change: 'removed', a: left });
    else if (JSON.stringify(left) !== JSON.stringify(right)) {
      changes.push({ index, change: 'changed', a: left, b: right });
    }
  }
  return changes;
}

function layerInfo(layer: Descriptor): LayerInfo {
  return {
    digest: layer.digest.toString(),
    mediaType: layer.mediaType,
    size: layer.size,
  };
}

function pair<K extends string>(key: K, a: string, b: string) {
  return a === b ? {} : ({ [key]: { a, b } } as { [P in K]: { a: string; b: string } });
}

/** Whether nothing but the digest could tell the two apart. */
export function diffIsEmpty(diff: ImageDiff): boolean {
  return (
    diff.mediaType === undefined &&
    isEmptyMapDiff(diff.annotations) &&
    diff.platforms.added.length + diff.platforms.removed.length === 0 &&
    diff.attestations.added.length + diff.attestations.removed.length === 0 &&
    diff.changed.length === 0 &&
    diff.missing.length === 0
  );
}
