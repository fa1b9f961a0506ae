/**
 * What a verification reports: every failed check, each naming the check
 * (a stable id scripts can match), where it failed and what differs. A
 * verification never stops at the first failure.
 */

/** The stable ids of the checks; never renamed once published. */
export const CheckId = {
  /** A planned tag is absent from a destination. */
  TagMissing: 'tag-missing',
  /** A tag names another digest than the release recorded. */
  TagDigest: 'tag-digest',
  /** One tag names different digests in different destinations. */
  TagDiverges: 'tag-diverges',
  /** The image's own media type is not the planned one. */
  MediaType: 'media-type',
  /** A Docker v2 media type anywhere in the image (gantry writes OCI). */
  DockerMediaType: 'docker-media-type',
  /** Platforms added or missing compared with the plan. */
  Platforms: 'platforms',
  /** A platform manifest's config declares another platform than its descriptor. */
  PlatformConfig: 'platform-config',
  /** An index (or index entry) annotation missing or with another value. */
  Annotation: 'annotation',
  /** A config label missing or with another value. */
  Label: 'label',
  /** An attestation whose subject is no platform manifest of the index. */
  AttestationSubject: 'attestation-subject',
  /** No attestation where one is required. */
  AttestationMissing: 'attestation-missing',
  /** A referenced blob or manifest is absent or has another size. */
  BlobMissing: 'blob-missing',
  /** Content that could not be read or parsed. */
  Unreadable: 'unreadable',
  /** A variant's lower layers are not its base image's layers. */
  BaseLayers: 'base-layers',
  /** A placed file missing from the top layer, of another type or mode. */
  LayerFiles: 'layer-files',
  /** Tags written in another order than planned. */
  Order: 'order',
} as const;

export type CheckIdValue = (typeof CheckId)[keyof typeof CheckId];

export interface Failure {
  check: CheckIdValue;
  /** The destination (`host/repo`, `oci:DIR`) or the reference checked. */
  destination: string;
  tag?: string;
  /** The digest of the manifest or index the failure is about. */
  digest?: string;
  expected?: string;
  actual?: string;
  /** One line: what differs, naming the tag and destination. */
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  /** How many individual checks ran. */
  checks: number;
  failures: Failure[];
}

/** Collects checks and failures while a verification runs. */
export class Findings {
  checks = 0;
  readonly failures: Failure[] = [];

  /** Counts one check; records `failure` when the check did not hold. */
  check(holds: boolean, failure: () => Failure): boolean {
    this.checks += 1;
    if (!holds) this.failures.push(failure());
    return holds;
  }

  fail(failure: Failure): void {
    this.checks += 1;
    this.failures.push(failure);
  }

  report(): VerifyReport {
    return {
      ok: this.failures.length === 0,
      checks: this.checks,
      failures: this.failures,
    };
  }
}
