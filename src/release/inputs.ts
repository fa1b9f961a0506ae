import type { ReleaseFile } from './file-types.js';
import { readGitFacts } from './git.js';
import type { PlanInputs } from './plan.js';
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
