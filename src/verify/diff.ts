import { attestedDigest, type Descriptor } from '../oci/descriptor.js';
import type { ReadTarget } from '../store/target.js';
import {
  diffFields,
  diffMaps,
  type FieldChange,
  isEmptyMapDiff,
  type MapDiff,
} from './diff-maps.js';
import { type ImageTree, type PlatformImage, readImage } from './read-image.js';

/**
 * What differs between two images: the root's media type and annotations,
 * the platforms on each side, and for each platform both have its
 * manifest's media type, the config fields, the labels and the layers by
 * position. Only manifests and configs are read, never layers.
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
    readImage(a.target, a.descriptor),
    readImage(b.target, b.descriptor),
  ]);
  return compareTrees(left, right);
}

export function compareTrees(a: ImageTree, b: ImageTree): ImageDiff {
  const names = (tree: ImageTree) => tree.platforms.map((image) => image.platform);
  const changed: PlatformDiff[] = [];
  for (const image of a.platforms) {
    const other = b.platforms.find((candidate) => candidate.platform === image.platform);
    const diff = other === undefined ? undefined : comparePlatforms(image, other);
    if (diff !== undefined) changed.push(diff);
  }
  const diff: ImageDiff = {
    same: a.root.digest.equals(b.root.digest),
    digest: { a: a.root.digest.toString(), b: b.root.digest.toString() },
    ...pair('mediaType', a.root.mediaType, b.root.mediaType),
    annotations: diffMaps(a.root.annotations, b.root.annotations),
    platforms: {
      added: names(b).filter((name) => !names(a).includes(name)),
      removed: names(a).filter((name) => !names(b).includes(name)),
    },
    attestations: {
      added: without(attested(b), attested(a)),
      removed: without(attested(a), attested(b)),
    },
    changed,
  };
  return diff;
}

/** The platform each attestation describes, sorted; one entry per attestation. */
function attested(tree: ImageTree): string[] {
  return tree.attestations
    .map((entry) => {
      let subject: string | undefined;
      try {
        subject = attestedDigest(entry)?.toString();
      } catch {
        subject = undefined;
      }
      const image = tree.platforms.find(
        (p) => p.descriptor.digest.toString() === subject,
      );
      return image?.platform ?? subject ?? `unknown subject (${entry.digest})`;
    })
    .sort();
}

/** `a` less one occurrence of each entry of `b`. */
function without(a: string[], b: string[]): string[] {
  const rest = [...b];
  return a.filter((entry) => {
    const at = rest.indexOf(entry);
    if (at < 0) return true;
    rest.splice(at, 1);
    return false;
  });
}

function comparePlatforms(a: PlatformImage, b: PlatformImage): PlatformDiff | undefined {
  if (a.manifest.digest.equals(b.manifest.digest)) return undefined;
  const size = (image: PlatformImage) =>
    image.manifest.layers.reduce((total, layer) => total + layer.size, 0);
  const config = diffFields(
    { ...a.config.config, ...platformFields(a) },
    { ...b.config.config, ...platformFields(b) },
    [...CONFIG_FIELDS, 'os', 'architecture', 'variant'],
  );
  return {
    platform: a.platform,
    digest: { a: a.manifest.digest.toString(), b: b.manifest.digest.toString() },
    ...pair('mediaType', a.manifest.mediaType, b.manifest.mediaType),
    ...pair('configMediaType', a.manifest.config.mediaType, b.manifest.config.mediaType),
    config,
    labels: diffMaps(a.config.config.Labels, b.config.config.Labels),
    layers: compareLayers(a.manifest.layers, b.manifest.layers),
    ...(size(a) === size(b) ? {} : { size: { a: size(a), b: size(b) } }),
  };
}

function platformFields(image: PlatformImage): Record<string, unknown> {
  const { os, architecture, variant } = image.config;
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
    diff.changed.length === 0
  );
}
