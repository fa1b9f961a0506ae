import { ErrorCode, isGantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Manifest } from '../oci/manifest.js';
import { isManifestType, isNondistributableType } from '../oci/mediatype.js';
import { RegistryError } from '../registry/registry-error.js';
import type { PlannedManifest } from './plan.js';

/** The pure parts of planning: a manifest's edges, the order, the blobs. */

/**
 * The tag `<alg>-<hex>` holds something else than a referrers index (a
 * manifest someone tagged so): the registry answered, the list is not
 * there. Failures of the registry itself (RegistryError) still fail.
 */
export function isForeignListTag(error: unknown): boolean {
  return isGantryError(error, ErrorCode.Registry) && !(error instanceof RegistryError);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function planned(manifest: Manifest): PlannedManifest {
  const descriptor = {
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: manifest.size,
  };
  if (manifest.kind === 'manifest') {
    return { descriptor, manifest, children: [], blobs: blobsOf(manifest) };
  }
  const children = manifest.manifests.filter((d) => isManifestType(d.mediaType));
  const blobs = manifest.manifests.filter((d) => !isManifestType(d.mediaType));
  return { descriptor, manifest, children, blobs };
}

/**
 * Config and layers. Non-distributable layers (Windows base layers) are
 * fetched by the runtime from their `urls`, never stored in registries:
 * image-spec layer.md, "Non-Distributable Layers"; they are not copied.
 */
function blobsOf(manifest: Manifest & { kind: 'manifest' }): Descriptor[] {
  const layers = manifest.layers.filter((d) => !isNondistributableType(d.mediaType));
  return [manifest.config, ...layers];
}

/** Post-order from each start: every child before the manifest naming it. */
export function order(
  graph: Map<string, PlannedManifest>,
  starts: PlannedManifest[],
): PlannedManifest[] {
  const placed = new Set<string>();
  const ordered: PlannedManifest[] = [];
  const visit = (node: PlannedManifest): void => {
    const key = node.descriptor.digest.toString();
    if (placed.has(key)) return;
    placed.add(key);
    for (const child of node.children) {
      const next = graph.get(child.digest.toString());
      if (next !== undefined) visit(next);
    }
    ordered.push(node);
  };
  for (const start of starts) visit(start);
  return ordered;
}

export function distinctBlobs(manifests: PlannedManifest[]): Descriptor[] {
  const seen = new Map<string, Descriptor>();
  for (const node of manifests) {
    for (const blob of node.blobs) {
      if (!seen.has(blob.digest.toString())) seen.set(blob.digest.toString(), blob);
    }
  }
  return [...seen.values()];
}
