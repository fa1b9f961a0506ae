import type {
  AttestationEntry,
  BlobEntry,
  DescriptorInfo,
  InspectDocument,
  ManifestInfo,
  PlatformEntry,
} from './inspect-document.js';

export type {
  AttestationEntry,
  BlobEntry,
  DescriptorInfo,
  InspectDocument,
  ManifestInfo,
  OtherEntry,
  PlatformEntry,
} from './inspect-document.js';

/**
 * The document `gantry inspect` shows, built from manifests already fetched.
 * Pure: no I/O. The same document is printed as JSON (`--json`) or rendered
 * as a tree (inspect-render.ts); its shapes are in inspect-document.ts.
 *
 * Attestation manifests (BuildKit's layout: an index entry with platform
 * `unknown/unknown` and the annotations below) are attached to the platform
 * they describe, never listed as platforms. An entry whose manifest the
 * repository does not have (deleted by digest) is shown, marked `missing`.
 */

/** An attestation layer names its in-toto predicate in this annotation. */
const PREDICATE_TYPE_ANNOTATION = 'in-toto.io/predicate-type';

/** What the builder knows of the entries below the root. */
interface Children {
  fetched: ReadonlyMap<string, ManifestInfo>;
  missing: ReadonlySet<string>;
}

/**
 * `children` holds every manifest fetched below `root`; `missing` the
 * digests of entries the repository answered "not found" for.
 */
export function buildInspectDocument(
  root: ManifestInfo,
  children: ReadonlyMap<string, ManifestInfo>,
  reference?: string,
  missing: ReadonlySet<string> = new Set(),
): InspectDocument {
  return build(root, { fetched: children, missing }, reference, false);
}

function build(
  root: ManifestInfo,
  children: Children,
  reference: string | undefined,
  missing: boolean,
): InspectDocument {
  const document: InspectDocument = {
    ...(reference === undefined ? {} : { reference }),
    digest: root.digest,
    mediaType: root.mediaType,
    size: root.size,
    kind: root.kind,
    ...(root.artifactType === undefined ? {} : { artifactType: root.artifactType }),
    platform: root.platform ?? null,
    annotations: root.annotations,
    platforms: [],
    attestations: [],
    indexes: [],
    others: [],
    config: root.config === undefined ? null : blob(root.config),
    layers: root.layers.map(blob),
    layersSize: sum(root.layers),
    missing,
  };
  if (root.kind === 'index') fillIndex(document, root, children);
  return document;
}

function fillIndex(
  document: InspectDocument,
  index: ManifestInfo,
  children: Children,
): void {
  for (const entry of index.manifests) {
    const child = children.fetched.get(entry.digest);
    const missing = children.missing.has(entry.digest);
    if (entry.attests !== undefined) {
      document.attestations.push(attestation(entry, index, child, missing));
    } else if (child?.kind === 'index' || isIndexType(entry.mediaType)) {
      document.indexes.push(nested(entry, child, children, missing));
    } else if (entry.platform !== undefined) {
      document.platforms.push(platform(entry, entry.platform, child, missing));
    } else {
      document.others.push({ ...blob(entry), annotations: entry.annotations, missing });
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
  missing: boolean,
): PlatformEntry {
  return {
    platform: name,
    ...blob(entry),
    annotations: entry.annotations,
    config: child?.config === undefined ? null : blob(child.config),
    layerCount: child === undefined ? null : child.layers.length,
    layersSize: child === undefined ? null : sum(child.layers),
    attestations: [],
    missing,
  };
}

function attestation(
  entry: DescriptorInfo,
  index: ManifestInfo,
  child: ManifestInfo | undefined,
  missing: boolean,
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
    missing,
  };
}

function nested(
  entry: DescriptorInfo,
  child: ManifestInfo | undefined,
  children: Children,
  missing: boolean,
): InspectDocument {
  const { digest, mediaType, size, annotations } = entry;
  const info: ManifestInfo = child ?? {
    ...{ digest, mediaType, size, annotations },
    kind: 'index',
    manifests: [],
    layers: [],
  };
  return build(info, children, undefined, missing);
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
