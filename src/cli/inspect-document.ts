/**
 * The shapes of `gantry inspect`: what the builder (inspect-view.ts) reads
 * of fetched manifests, and the document it makes. The document is printed
 * as JSON with `--json`: a stable shape for scripts, so fields are only
 * ever added.
 */

/** What the builder needs of one descriptor (image-spec descriptor.md). */
export interface DescriptorInfo {
  mediaType: string;
  digest: string;
  size: number;
  /** `os/arch[/variant]`, undefined when the descriptor has no platform. */
  platform?: string;
  annotations: Record<string, string>;
  /** Set when the entry is an attestation: the digest it describes. */
  attests?: string;
}

/** What the builder needs of one manifest or index. */
export interface ManifestInfo {
  digest: string;
  mediaType: string;
  size: number;
  kind: 'index' | 'manifest';
  annotations: Record<string, string>;
  manifests: DescriptorInfo[];
  config?: DescriptorInfo;
  layers: DescriptorInfo[];
  artifactType?: string;
  /** An image manifest's platform, read from its config; undefined if none. */
  platform?: string;
}

export interface BlobEntry {
  digest: string;
  mediaType: string;
  size: number;
}

export interface PlatformEntry {
  platform: string;
  digest: string;
  mediaType: string;
  size: number;
  annotations: Record<string, string>;
  config: BlobEntry | null;
  layerCount: number | null;
  layersSize: number | null;
  /** Digests of the attestation manifests that describe this platform. */
  attestations: string[];
  /** The index names this manifest but the repository does not have it. */
  missing: boolean;
}

export interface AttestationEntry {
  digest: string;
  mediaType: string;
  size: number;
  /** The digest of the manifest this attestation describes. */
  for: string;
  /** The platform of that manifest, null when it is not in this index. */
  platform: string | null;
  /** From the layers' `in-toto.io/predicate-type` annotations. */
  predicateTypes: string[];
  /** The index names this manifest but the repository does not have it. */
  missing: boolean;
}

export interface OtherEntry extends BlobEntry {
  annotations: Record<string, string>;
  missing: boolean;
}

export interface InspectDocument {
  reference?: string;
  digest: string;
  mediaType: string;
  size: number;
  kind: 'index' | 'manifest';
  artifactType?: string;
  /** A single image's platform (from its config); null for an index or artifact. */
  platform: string | null;
  annotations: Record<string, string>;
  platforms: PlatformEntry[];
  attestations: AttestationEntry[];
  /** Nested indexes (image-spec image-index.md allows index entries). */
  indexes: InspectDocument[];
  /** Entries that are neither a platform image, an attestation nor an index. */
  others: OtherEntry[];
  config: BlobEntry | null;
  layers: BlobEntry[];
  layersSize: number;
  /** Only a nested index can be missing: the root was fetched. */
  missing: boolean;
}
