import { randomBytes } from 'node:crypto';
import type { VerifyReport } from '../verify/types.js';
import type { DryRun } from './dry-run.js';
import { BASE_IMAGE_NAME } from './images.js';
import { type TagChangeKind, writesTag } from './plan-diff.js';
import type { ReleaseRecord } from './record.js';

/**
 * What a release tells a GitHub Actions workflow: step outputs (for
 * `steps.<id>.outputs.*`) and a Markdown step summary. Pure: the CLI writes
 * the text to the files GitHub names in GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY. Only image names, destinations (`host/repo`,
 * `oci:DIR`), tags and digests appear: never a credential.
 */

/** A release, or a dry-run of one, reduced to what a workflow reads. */
export interface ActionsRelease {
  version: string;
  dryRun: boolean;
  /** In publication order. */
  images: { name: string; digest: string; platforms: string[] }[];
  /** Destinations as planned, then each one's tags in plan order. */
  tags: { destination: string; image: string; tag: string; change: TagChangeKind }[];
  /** The record file; absent for a dry-run, which writes none. */
  record?: string;
  /** The read-back check, or why there was none. */
  verification: VerifyReport | { skipped: string };
}

/** The outputs gantry writes, in the order it writes them (action.yml lists them). */
export const ACTIONS_OUTPUTS = [
  'version',
  'digest',
  'digests',
  'tags',
  'record',
  'changed',
  'dry-run',
  'verified',
] as const;

export type ActionsOutputName = (typeof ACTIONS_OUTPUTS)[number];

export function actionsFromRecord(
  record: ReleaseRecord,
  recordFile: string,
  verification: ActionsRelease['verification'],
): ActionsRelease {
  return {
    version: record.version,
    dryRun: false,
    images: record.images.map(({ name, digest, platforms }) => ({
      name,
      digest,
      platforms: platforms.map((entry) => entry.platform),
    })),
    tags: record.tags.map(({ destination, image, tag, change }) => ({
      destination,
      image,
      tag,
      change,
    })),
    record: recordFile,
    verification,
  };
}

export function actionsFromDryRun(dry: DryRun): ActionsRelease {
  return {
    version: dry.plan.version.normalized,
    dryRun: true,
    images: dry.images.map(({ name, digest, platforms }) => ({
      name,
      digest: digest.toString(),
      platforms: platforms.map((entry) => entry.platform),
    })),
    tags: dry.diff.changes.map(({ destination, image, tag, change }) => ({
      destination,
      image,
      tag,
      change,
    })),
    verification: { skipped: 'a dry-run writes nothing to read back' },
  };
}

/** Every output's value; JSON values are compact, one line. */
export function actionsOutputs(
  release: ActionsRelease,
): Record<ActionsOutputName, string> {
  const base =
    release.images.find((image) => image.name === BASE_IMAGE_NAME) ?? release.images[0];
  const digests = Object.fromEntries(release.images.map((i) => [i.name, i.digest]));
  const { verification } = release;
  return {
    version: release.version,
    digest: base?.digest ?? '',
    digests: JSON.stringify(digests),
    tags: JSON.stringify(release.tags.map((t) => `${t.destination}:${t.tag}`)),
    record: release.record ?? '',
    changed: String(release.tags.some(writesTag)),
    'dry-run': String(release.dryRun),
    verified: 'skipped' in verification ? '' : String(verification.ok),
  };
}

/** Delimiters start so; random hex follows (see outputFileText). */
const DELIMITER_PREFIX = 'gantry_EOF_';
/** 128 random bits: a value cannot guess it, and it is checked anyway. */
const DELIMITER_RANDOM_BYTES = 16;

export type DelimiterSource = () => string;

const randomDelimiter: DelimiterSource = () =>
  `${DELIMITER_PREFIX}${randomBytes(DELIMITER_RANDOM_BYTES).toString('hex')}`;

/**
 * The text appended to the GITHUB_OUTPUT file. GitHub's "Workflow commands
 * for GitHub Actions" (docs.github.com/en/actions/reference/workflows-and-
 * actions/workflow-commands, "Setting an output parameter" and
 * "Multiline strings"): one `name=value` line each, or for a value with a
 * line break `name<<DELIMITER`, the value, and `DELIMITER` on a line of its
 * own; the delimiter must not occur on a line of its own inside the value.
 * A line break in the `name=value` form would start a forged output, so
 * such values always take the delimited form, with a delimiter that occurs
 * nowhere in the value.
 */
export function outputFileText(
  outputs: Readonly<Record<string, string>>,
  delimiter: DelimiterSource = randomDelimiter,
): string {
  let text = '';
  for (const [name, value] of Object.entries(outputs)) {
    if (!/[\r\n]/.test(value)) {
      text += `${name}=${value}\n`;
      continue;
    }
    let marker = delimiter();
    while (value.includes(marker)) marker = delimiter();
    text += `${name}<<${marker}\n${value}\n${marker}\n`;
  }
  return text;
}
