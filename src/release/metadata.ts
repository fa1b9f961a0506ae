import { ErrorCode, GantryError } from '../errors.js';
import type { AnnotationLevel, ConfigSpec, ReleaseFile } from './file-types.js';
import type { GitFacts } from './git.js';

/** image-spec annotations.md, "Pre-Defined Annotation Keys". */
export const OCI_KEYS = {
  created: 'org.opencontainers.image.created',
  version: 'org.opencontainers.image.version',
  revision: 'org.opencontainers.image.revision',
  source: 'org.opencontainers.image.source',
  url: 'org.opencontainers.image.url',
  title: 'org.opencontainers.image.title',
  description: 'org.opencontainers.image.description',
  licenses: 'org.opencontainers.image.licenses',
} as const;

/** Where `created` came from; `now` only when the caller asked for it. */
export interface CreatedTime {
  created?: string;
  note?: string;
}

/**
 * The release time, chosen so that plans are deterministic: the
 * reproducible-builds `SOURCE_DATE_EPOCH`, else the commit time, else `now`
 * when the caller passes one, else no `created` key at all.
 */
export function releaseCreated(
  sourceDateEpoch: string | undefined,
  git: GitFacts | undefined,
  now: Date | undefined,
): CreatedTime {
  if (sourceDateEpoch !== undefined && sourceDateEpoch !== '') {
    // reproducible-builds.org/specs/source-date-epoch: decimal seconds, UTC.
    if (!/^[0-9]+$/.test(sourceDateEpoch)) {
      throw new GantryError(
        ErrorCode.Usage,
        `SOURCE_DATE_EPOCH "${sourceDateEpoch}" is not a whole number of seconds`,
        { hint: 'set it to a Unix time, e.g. $(git log -1 --format=%ct)' },
      );
    }
    return { created: rfc3339(Number(sourceDateEpoch)) };
  }
  if (git !== undefined) return { created: rfc3339(git.commitTime) };
  if (now !== undefined) return { created: rfc3339(Math.floor(now.getTime() / 1000)) };
  return { note: 'no SOURCE_DATE_EPOCH and no git commit: created is omitted' };
}

/** RFC 3339 in UTC, whole seconds (annotations.md asks for RFC 3339). */
function rfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The `org.opencontainers.image.*` values of one image; version is its first tag. */
export function ociMetadata(
  file: ReleaseFile,
  firstTag: string | undefined,
  created: string | undefined,
  git: GitFacts | undefined,
): Record<string, string> {
  const metadata = file.metadata;
  const values: [string, string | undefined][] = [
    [OCI_KEYS.created, created],
    [OCI_KEYS.version, firstTag],
    [OCI_KEYS.revision, git?.sha],
    [OCI_KEYS.source, metadata.source],
    [OCI_KEYS.url, metadata.url],
    [OCI_KEYS.title, metadata.title],
    [OCI_KEYS.description, metadata.description],
    [OCI_KEYS.licenses, metadata.licenses],
  ];
  return sortedRecord(values.filter((entry): entry is [string, string] => !!entry[1]));
}

/** Labels and annotations of one image, each map sorted by key. */
export interface ImageMetadata {
  labels: Record<string, string>;
  annotations: Record<AnnotationLevel, Record<string, string>>;
}

/**
 * Labels: the OCI keys, then the file's `labels`, then the image's own
 * config labels (later wins: what a user wrote overrides what gantry
 * derived). Annotations: the OCI keys at the metadata levels (always the
 * index) plus each file annotation at its own levels.
 */
export function imageMetadata(
  file: ReleaseFile,
  oci: Record<string, string>,
  config: ConfigSpec,
): ImageMetadata {
  const labels = sortedRecord(
    Object.entries({ ...oci, ...file.labels, ...(config.labels ?? {}) }),
  );
  const levels: AnnotationLevel[] = ['index', 'manifest', 'descriptor'];
  const annotations = Object.fromEntries(
    levels.map((level) => {
      const entries = file.metadata.levels.includes(level) ? Object.entries(oci) : [];
      for (const annotation of file.annotations) {
        if (annotation.levels.includes(level))
          entries.push([annotation.key, annotation.value]);
      }
      return [level, sortedRecord(entries)];
    }),
  ) as Record<AnnotationLevel, Record<string, string>>;
  return { labels, annotations };
}

function sortedRecord(entries: [string, string][]): Record<string, string> {
  const map = new Map(entries);
  return Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
