import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { Platform } from '../oci/platform.js';

/**
 * How many blob transfers and manifest requests run at once. Copies are
 * bound by registry round trips and streams, not by CPU: four keeps both
 * cores of a small CI machine busy hashing while other transfers wait on
 * the network, and stays far below the connection limits registries
 * enforce per client (Docker Hub and GHCR throttle bursts of dozens).
 * Measured on the 2-core machine of `npm run bench:copy` (scenario (a),
 * alternating, 6 runs each, medians): 2 took 1.4 times as long as 4, and
 * 6 no less than 4.
 */
export const DEFAULT_COPY_CONCURRENCY = 4;

export interface CopyOptions {
  /**
   * Copy only these platforms of an index: a new index is written with the
   * chosen entries (and their attestations), so its digest is new and
   * `result.changed` is true. Ignored when the source is a single manifest.
   */
  platforms?: Platform[];
  /**
   * Also copy manifests whose `subject` is any copied manifest, and theirs
   * in turn (signatures, SBOMs, provenance); default true.
   */
  referrers?: boolean;
  /**
   * What `sourceRef` names, when the caller has resolved it already (to
   * check the source before opening the destination): saves that request.
   */
  resolved?: Descriptor;
  /** Default DEFAULT_COPY_CONCURRENCY. */
  concurrency?: number;
  /** Progress for the host (the CLI draws it); the library never prints. */
  onEvent?: (event: CopyEvent) => void;
  /** Stops the copy; it fails with GANTRY_E_ABORTED and no tag is written. */
  signal?: AbortSignal;
  /**
   * Blobs (digests) the caller knows the destination holds, because it
   * uploaded them moments ago: counted as skipped without a request. A
   * blob missing after all makes the manifest push fail, never a tag.
   */
  present?: ReadonlySet<string>;
  /**
   * Small blobs that are not layers (configs, attestation statements) go
   * to a registry without asking first whether it has them; for an image
   * no tag names yet (blobs.ts, BlobContext.uploadSmallUnasked).
   */
  uploadSmallUnasked?: boolean;
}

/** How a blob reached the destination. */
export type BlobTransfer = 'uploaded' | 'mounted' | 'skipped';

export type CopyEvent =
  | {
      type: 'plan';
      root: Digest;
      manifests: number;
      blobs: number;
      bytes: number;
      referrers: number;
    }
  | { type: 'blob-start'; digest: Digest; size: number }
  | { type: 'blob-progress'; digest: Digest; size: number; done: number }
  | { type: 'blob-done'; digest: Digest; size: number; how: BlobTransfer }
  | { type: 'manifest'; digest: Digest; mediaType: string; size: number }
  | { type: 'tag'; tag: string; digest: Digest }
  | { type: 'warning'; message: string };

export interface CopyStats {
  /** Distinct blobs the image needs. */
  blobs: number;
  uploaded: number;
  mounted: number;
  /** Already at the destination. */
  skipped: number;
  /** Bytes uploaded. */
  bytes: number;
  /** Manifests and indexes written, referrers included. */
  manifests: number;
  /** Referrer manifests found and copied. */
  referrers: number;
}

export interface CopyResult {
  /** What the source reference named. */
  sourceDigest: Digest;
  /** What the destination tags name: the source digest unless changed. */
  digest: Digest;
  mediaType: string;
  size: number;
  /** True when a platform subset made a new index. */
  changed: boolean;
  tags: string[];
  stats: CopyStats;
}
