import type { Platform } from '../oci/platform.js';
import type { Location } from './file-node.js';
import type { VersionScheme } from './version.js';

/**
 * The release file after validation: every value typed and checked, with
 * the location of the parts later steps may have to point back at.
 */
export interface ReleaseFile {
  /** The file's name as used in messages. */
  name: string;
  version: VersionSpec;
  scheme: VersionScheme;
  platforms: Platform[];
  destinations: Destination[];
  base: BaseSpec;
  variants: VariantSpec[];
  /** Labels for every image's config. */
  labels: Record<string, string>;
  annotations: AnnotationSpec[];
  metadata: MetadataSpec;
  tags: TagRules;
  latest: LatestRule;
  order: OrderRule;
  attestations: AttestationSpec;
}

/** `version:` as written: a literal, the environment variable to read, or nothing. */
export interface VersionSpec {
  value?: string;
  env?: string;
}

/** Where the release goes: a repository in a registry, or a local OCI layout. */
export type Destination =
  | { kind: 'registry'; name: string; repository: string }
  | { kind: 'layout'; name: string; path: string };

/**
 * One file set into the scratch base image. `from` holds, per platform (as
 * `os/arch[/variant]`), the path on disk after `$TARGETARCH` substitution.
 */
export interface BaseFileSpec {
  from: Record<string, string>;
  to: string;
  at: Location;
  /** Where `from` is written, for errors about the file it names. */
  fromAt: Location;
  /** `from` as written when it is one path for all platforms (`dist/$TARGETARCH/x`). */
  template?: string;
}

/** Image config fields (image-spec config.md, "config" object). */
export interface ConfigSpec {
  env?: Record<string, string>;
  entrypoint?: string[];
  cmd?: string[];
  workdir?: string;
  user?: string;
  labels?: Record<string, string>;
}

export interface BaseSpec {
  files: BaseFileSpec[];
  config: ConfigSpec;
  at: Location;
}

export interface VariantSpec {
  /** The image the variant starts from, as a full reference. */
  from: string;
  /** One or more, e.g. `[alpine3.21, alpine]`; the first names the image. */
  suffixes: string[];
  /** Paths copied from the base image; undefined means all of its files. */
  copy?: string[];
  config: ConfigSpec;
  at: Location;
}

/** image-spec annotations.md: where an annotation is written. */
export type AnnotationLevel = 'index' | 'manifest' | 'descriptor';

export interface AnnotationSpec {
  key: string;
  value: string;
  levels: AnnotationLevel[];
}

/** Values for the `org.opencontainers.image.*` keys (annotations.md). */
export interface MetadataSpec {
  title?: string;
  description?: string;
  licenses?: string;
  source?: string;
  url?: string;
  /** Where the generated keys go as annotations; always at least `index`. */
  levels: AnnotationLevel[];
}

/**
 * Tag templates. Base templates expand once; variant templates once per
 * suffix and must use `{{suffix}}`. See tags.ts for the placeholders.
 */
export interface TagRules {
  base: string[];
  variant: string[];
  prefix: string;
  suffix: string;
  at: Location;
}

export type LatestRule = 'auto' | boolean;

/** Publication order: image names are `base` and each variant's first suffix. */
export type OrderRule = 'base-last' | 'base-first' | string[];

export interface AttestationSpec {
  provenance: boolean;
  sbom: boolean;
  mode: 'index' | 'referrers';
}
