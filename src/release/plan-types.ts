import type { AnnotationLevel, AttestationSpec, ConfigSpec } from './file-types.js';
import type { VersionScheme } from './version.js';

/**
 * Everything a release will do, computed before any write. Arrays are in a
 * fixed order (images in publication order, tags in template order) and
 * maps are sorted by key, so the same inputs give identical JSON.
 */
export interface ReleasePlan {
  /** The release file's name. */
  file: string;
  version: {
    input: string;
    normalized: string;
    scheme: VersionScheme;
    prerelease: boolean;
  };
  /** RFC 3339; absent when no deterministic time was known. */
  created?: string;
  /** The git commit, when known. */
  revision?: string;
  /** What the plan left out and why (no git, no time). */
  notes: string[];
  platforms: string[];
  attestations: AttestationSpec;
  /** Image names in publication order. */
  order: string[];
  /** In publication order. */
  images: PlannedImage[];
  destinations: PlannedDestination[];
}

/** One image to build: the base from files, or a variant over another image. */
export interface PlannedImage {
  name: string;
  kind: 'base' | 'variant';
  /** Where the file defines it. */
  at: string;
  /** A variant's base image reference. */
  from?: string;
  /** A variant's paths copied from the base image; `all` when not narrowed. */
  copy?: string[] | 'all';
  builds: PlannedBuild[];
  config: ConfigSpec;
  labels: Record<string, string>;
  annotations: Record<AnnotationLevel, Record<string, string>>;
  /** The first tag is the image's `org.opencontainers.image.version`. */
  tags: string[];
}

/** The inputs of one platform's image. */
export interface PlannedBuild {
  platform: string;
  /** Base image: files from disk, path in the image. */
  files?: { source: string; target: string }[];
}

/** Tag writes for one destination, in the order they will happen. */
export interface PlannedDestination {
  name: string;
  kind: 'registry' | 'layout';
  writes: TagWrite[];
}

export interface TagWrite {
  /** 1-based position in this destination's sequence. */
  step: number;
  image: string;
  tag: string;
}
