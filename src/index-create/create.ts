import { copyImage } from '../copy/copy.js';
import { throwIfAborted } from '../copy/errors.js';
import type { CopyStats } from '../copy/types.js';
import { createIndex } from '../oci/create.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { describeManifest, type ImageIndex } from '../oci/manifest.js';
import type { RegistryClient } from '../registry/client.js';
import type { WriteTarget } from '../store/target.js';
import type { IndexAnnotations } from './annotations.js';
import { gatherEntries, type IndexEntry } from './entries.js';

/**
 * `gantry index create`: one new OCI image index over platform images
 * from one or more sources. Children first: each entry's image is copied
 * (blobs mounted or streamed, exact manifest bytes) into the destination
 * untagged; then the index is pushed, then tagged, so no tag ever names
 * an index whose children are missing. The output is always an OCI index:
 * a Docker manifest list cannot carry annotations (cases BR-12).
 */

export interface IndexCreateOptions {
  client: RegistryClient;
  annotations?: IndexAnnotations;
  tags?: readonly string[];
  /** Stops the copies (GANTRY_E_ABORTED); the index is not pushed then. */
  signal?: AbortSignal;
}

export interface IndexCreateResult {
  digest: Digest;
  mediaType: string;
  size: number;
  /** The entries as written: each source's descriptor, annotations added. */
  manifests: Descriptor[];
  stats: Pick<CopyStats, 'uploaded' | 'mounted' | 'skipped' | 'bytes'>;
}

export async function createIndexFrom(
  sources: readonly string[],
  destination: WriteTarget,
  options: IndexCreateOptions,
): Promise<IndexCreateResult> {
  const entries = await gatherEntries(sources, options.client);
  const stats = { uploaded: 0, mounted: 0, skipped: 0, bytes: 0 };
  for (const entry of entries) {
    const copied = await copyImage(
      entry.target,
      entry.descriptor.digest.toString(),
      destination,
      [],
      options.signal === undefined ? {} : { signal: options.signal },
    );
    for (const key of Object.keys(stats) as (keyof typeof stats)[]) {
      stats[key] += copied.stats[key];
    }
  }

  const { index, manifests } = indexOver(entries, options.annotations);
  const descriptor = describeManifest(index);
  throwIfAborted(options.signal);
  await destination.push(descriptor, index.bytes);
  for (const tag of options.tags ?? []) await destination.tag(descriptor, tag);
  return {
    digest: index.digest,
    mediaType: index.mediaType,
    size: index.size,
    manifests,
    stats,
  };
}

/**
 * The index over `entries`, pure: each source's descriptor with the
 * descriptor annotations added, the index annotations on the index. What
 * `createIndexFrom` pushes, and what a dry-run computes without writing.
 */
export function indexOver(
  entries: readonly IndexEntry[],
  annotations: IndexAnnotations | undefined,
): { index: ImageIndex; manifests: Descriptor[] } {
  const extra = annotations?.descriptor ?? {};
  const manifests = entries.map(({ descriptor }) => withAnnotations(descriptor, extra));
  const indexAnnotations = annotations?.index ?? {};
  const index = createIndex({
    manifests,
    ...(Object.keys(indexAnnotations).length === 0
      ? {}
      : { annotations: indexAnnotations }),
  });
  return { index, manifests };
}

function withAnnotations(
  descriptor: Descriptor,
  extra: Record<string, string>,
): Descriptor {
  if (Object.keys(extra).length === 0) return descriptor;
  return { ...descriptor, annotations: { ...descriptor.annotations, ...extra } };
}
