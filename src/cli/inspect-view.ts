/**
 * The document `gantry inspect` shows, built from manifests already fetched.
 * Pure: no I/O. The same document is printed as JSON (`--json`, a stable
 * shape for scripts) or rendered as a tree (inspect-render.ts).
 *
 * Attestation manifests (BuildKit's layout: an index entry with platform
 * `unknown/unknown` and the annotations below) are attached to the platform
 * they describe, never listed as platforms.
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
}

export interface InspectDocument {
  reference?: string;
  digest: string;
  mediaType: string;
  size: number;
  kind: 'index' | 'manifest';
  artifactType?: string;
  annotations: Record<string, string>;
  platforms: PlatformEntry[];
  attestations: AttestationEntry[];
  /** Nested indexes (image-spec image-index.md allows index entries). */
  indexes: InspectDocument[];
  /** Entries that are neither a platform image, an attestation nor an index. */
  others: (BlobEntry & { annotations: Record<string, string> })[];
  config: BlobEntry | null;
  layers: BlobEntry[];
  layersSize: number;
}

/** An attestation layer names its in-toto predicate in this annotation. */
const PREDICATE_TYPE_ANNOTATION = 'in-toto.io/predicate-type';

export function buildInspectDocument(
  root: ManifestInfo,
  children: ReadonlyMap<string, ManifestInfo>,
  reference?: string,
): InspectDocument {
  const document: InspectDocument = {
    ...(reference === undefined ? {} : { reference }),
    digest: root.digest,
    mediaType: root.mediaType,
    size: root.size,
    kind: root.kind,
    ...(root.artifactType === undefined ? {} : { artifactType: root.artifactType }),
    annotations: root.annotations,
    platforms: [],
    attestations: [],
    indexes: [],
    others: [],
    config: root.config === undefined ? null : blob(root.config),
    layers: root.layers.map(blob),
    layersSize: sum(root.layers),
  };
  if (root.kind === 'index') fillIndex(document, root, children);
  return document;
}

function fillIndex(
  document: InspectDocument,
  index: ManifestInfo,
  children: ReadonlyMap<string, ManifestInfo>,
): void {
  for (const entry of index.manifests) {
    const child = children.get(entry.digest);
    if (entry.attests !== undefined) {
      document.attestations.push(attestation(entry, index, child));
    } else if (child?.kind === 'index' || isIndexType(entry.mediaType)) {
      document.indexes.push(nested(entry, child, children));
    } else if (entry.platform !== undefined) {
      document.platforms.push(platform(entry, entry.platform, child));
    } else {
      document.others.push({ ...blob(entry), annotations: entry.annotations });
    }
  }

  for (const entry of document.attestations) {
    const described = document.platforms.find((p) => p.digest === entry.for);
    described?.attestations.push(entry.digest);
  }
}

function platform(
  entry: DescriptorInfo,
  name: string,
  child: ManifestInfo | undefined,
): PlatformEntry {
  return {
    platform: name,
    ...blob(entry),
    annotations: entry.annotations,
    config: child?.config === undefined ? null : blob(child.config),
    layerCount: child === undefined ? null : child.layers.length,
    layersSize: child === undefined ? null : sum(child.layers),
    attestations: [],
  };
}

function attestation(
  entry: DescriptorInfo,
  index: ManifestInfo,
  child: ManifestInfo | undefined,
): AttestationEntry {
  const described = index.manifests.find((m) => m.digest === entry.attests);
  const predicates = (child?.layers ?? [])
    .map((layer) => layer.annotations[PREDICATE_TYPE_ANNOTATION])
    .filter((type): type is string => type !== undefined);
  return {
    ...blob(entry),
    for: entry.attests ?? '',
    platform: described?.platform ?? null,
    predicateTypes: [...new Set(predicates)],
  };
}

function nested(
  entry: DescriptorInfo,
  child: ManifestInfo | undefined,
  children: ReadonlyMap<string, ManifestInfo>,
): InspectDocument {
  const info: ManifestInfo = child ?? {
    ...entry,
    kind: 'index',
    manifests: [],
    layers: [],
  };
  return buildInspectDocument(info, children);
}

function isIndexType(mediaType: string): boolean {
  return (
    mediaType === 'application/vnd.oci.image.index.v1+json' ||
    mediaType === 'application/vnd.docker.distribution.manifest.list.v2+json'
  );
}

function blob(descriptor: DescriptorInfo): BlobEntry {
  const { digest, mediaType, size } = descriptor;
  return { digest, mediaType, size };
}

function sum(descriptors: DescriptorInfo[]): number {
  return descriptors.reduce((total, d) => total + d.size, 0);
}
