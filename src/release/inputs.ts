import { parseDestination } from './execute-targets.js';
import { assertDistinctDestinations } from './file-destinations.js';
import type { ReleaseFile } from './file-types.js';
import { readGitFacts } from './git.js';
import type { PlanInputs } from './plan.js';
import type { RecordedInputs } from './record.js';
import { chooseVersionText, parseVersion, type VersionSource } from './version.js';

/** What the command line and the process environment give a release. */
export interface ReleaseEnvironment {
  /** Where git is asked about HEAD. */
  cwd: string;
  /** `--version`. */
  version?: string;
  /** The environment to read the file's version variable and SOURCE_DATE_EPOCH from. */
  env: Readonly<Record<string, string | undefined>>;
  /** Only when the user asked for the current time as `created`. */
  now?: Date;
}

/**
 * Gathers the plan's inputs: the version (argument, the file's literal, the
 * variable the file names, or HEAD's git tag), git facts and
 * SOURCE_DATE_EPOCH. This is the one impure step before `planRelease`.
 */
export async function gatherPlanInputs(
  file: ReleaseFile,
  environment: ReleaseEnvironment,
): Promise<PlanInputs & { versionFrom: VersionSource }> {
  const git = await readGitFacts(environment.cwd);
  const envName = file.version.env;
  const chosen = chooseVersionText({
    ...(environment.version === undefined ? {} : { argument: environment.version }),
    ...(file.version.value === undefined ? {} : { file: file.version.value }),
    ...(envName === undefined
      ? {}
      : { environment: { name: envName, value: environment.env[envName] } }),
    ...(git?.tag === undefined ? {} : { gitTag: git.tag }),
  });

  const sourceDateEpoch = environment.env.SOURCE_DATE_EPOCH;
  return {
    version: parseVersion(chosen.text, file.scheme),
    versionFrom: chosen.from,
    ...(git === undefined ? {} : { git }),
    ...(sourceDateEpoch === undefined ? {} : { sourceDateEpoch }),
    ...(environment.now === undefined ? {} : { now: environment.now }),
  };
}

/**
 * The plan inputs a release recorded, so that its plan can be made again
 * without reading HEAD or the environment: the version as given, parsed with
 * the file's scheme, and the same git facts, SOURCE_DATE_EPOCH and time.
 */
export function inputsFromRecord(
  file: ReleaseFile,
  recorded: RecordedInputs,
): PlanInputs {
  const { git, sourceDateEpoch, now } = recorded;
  return {
    version: parseVersion(recorded.version.input, file.scheme),
    ...(git === undefined ? {} : { git }),
    ...(sourceDateEpoch === undefined ? {} : { sourceDateEpoch }),
    ...(now === undefined ? {} : { now: new Date(now) }),
  };
}

/**
 * Replaces the file's destinations (`--to`, or the destinations a record
 * names), each read as `host/repo` or `oci:DIR`; none given keeps the file's.
 */
export function withDestinations(
  file: ReleaseFile,
  names: readonly string[] | undefined,
): ReleaseFile {
  if (names === undefined || names.length === 0) return file;
  const destinations = names.map(parseDestination);
  assertDistinctDestinations(destinations);
  return { ...file, destinations };
}
