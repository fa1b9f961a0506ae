import type { AttestationSettings } from '../attest/release.js';
import type { CopyEvent, CopyStats } from '../copy/types.js';
import type { Digest } from '../oci/digest.js';
import type { RegistryClient } from '../registry/client.js';
import type { PlanDiff, TagChange } from './plan-diff.js';
import type { PlannedDestination, ReleasePlan } from './plan-types.js';

/** What `executeRelease` takes, reports while it runs, and returns. */

export type ReleaseEvent =
  /** Image `number` of `of` (1-based, publication order) starts to build. */
  | { type: 'building'; image: string; number: number; of: number; platforms: string[] }
  | { type: 'platform-built'; image: string; platform: string }
  | { type: 'built'; image: string; digest: Digest; platforms: number }
  /** A step of an image's push to a destination: blobs with bytes, manifests. */
  | { type: 'copy'; destination: string; image: string; event: CopyEvent }
  | { type: 'pushed'; destination: string; image: string; stats: CopyStats }
  | { type: 'tagged'; destination: string; change: TagChange }
  /** A tag not written: it stays, or is `held` at a newer release (plan-hold.ts). */
  | { type: 'stays'; destination: string; change: TagChange };

export interface ExecuteOptions {
  client: RegistryClient;
  /** Where relative file sources are found: the release file's folder. */
  baseDir: string;
  /** Layer cache folder; the build default when absent; false for none. */
  cacheDir?: string | false;
  /**
   * Replaces the plan's `attestations` (src/attest); `builder.id` names who
   * ran the release in the provenance (DEFAULT_BUILDER_ID otherwise).
   */
  attestations?: AttestationSettings;
  onEvent?: (event: ReleaseEvent) => void;
  /** Move tags whose image carries a newer version too (plan-hold.ts). */
  allowDowngrade?: boolean;
  /**
   * Stops the release (GANTRY_E_ABORTED) between steps and inside copies.
   * Tags written so far name complete images; a re-run writes the rest.
   */
  signal?: AbortSignal;
}

export interface BuiltReleaseImage {
  name: string;
  /** The index every destination's tags of this image name. */
  digest: Digest;
  mediaType: string;
  platforms: { platform: string; digest: Digest }[];
}

export interface PushedImage {
  image: string;
  stats: CopyStats;
}

/** One tag as the release left it; `sequence` is the write's place overall. */
export interface WrittenTag {
  change: TagChange;
  /** 1-based across all destinations; absent when the tag stayed. */
  sequence?: number;
}

export interface DestinationOutcome {
  name: string;
  kind: PlannedDestination['kind'];
  pushed: PushedImage[];
  tags: WrittenTag[];
  timings: { pushMs: number; tagMs: number };
}

export interface ReleaseOutcome {
  plan: ReleasePlan;
  diff: PlanDiff;
  images: BuiltReleaseImage[];
  destinations: DestinationOutcome[];
  timings: { startedAt: string; buildMs: number; compareMs: number; totalMs: number };
}
