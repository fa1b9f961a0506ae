import * as pep440 from '@renovatebot/pep440';
import semver from 'semver';
import { ErrorCode, GantryError } from '../errors.js';

/** How a release's version string is read: SemVer 2.0.0 or Python's PEP 440. */
export type VersionScheme = 'semver' | 'pep440';

/** Most tools ship SemVer versions; PEP 440 is opt-in for Python projects. */
export const DEFAULT_VERSION_SCHEME: VersionScheme = 'semver';

/** A parsed release version, in its scheme's canonical form. */
export interface ReleaseVersion {
  scheme: VersionScheme;
  /** As given, e.g. `v1.2.3`. */
  input: string;
  /** The canonical form: `1.2.3`, `1.2.3rc1`, `1!2.0`. */
  normalized: string;
  major: number;
  minor: number;
  patch: number;
  /**
   * True for a SemVer pre-release (`1.2.3-rc.1`, semver.org item 9) and for
   * PEP 440 pre- and development releases (`1.2.3rc1`, `1.2.3.dev4`); PEP 440
   * post-releases (`1.2.3.post1`) are final.
   */
  prerelease: boolean;
  /** The normalized form made safe for a tag (see `toTagText`). */
  tagText: string;
}

/**
 * Parses `text` under `scheme`, accepting a leading `v` (git tags are
 * usually written `v1.2.3`). Throws GANTRY_E_VERSION when it is not valid.
 */
export function parseVersion(text: string, scheme: VersionScheme): ReleaseVersion {
  const trimmed = text.trim();
  const version = scheme === 'semver' ? parseSemver(trimmed) : parsePep440(trimmed);
  if (version === undefined) throw invalidVersion(text, scheme);
  return { ...version, scheme, input: text, tagText: toTagText(version.normalized) };
}

function parseSemver(
  text: string,
): Omit<ReleaseVersion, 'scheme' | 'input' | 'tagText'> | undefined {
  // semver.parse strips one leading "v" or "=" (node-semver's documented
  // leniency); loose mode stays off so `1.2` or `01.2.3` are refused.
  const parsed = semver.parse(text);
  if (parsed === null) return undefined;
  return {
    normalized: parsed.version,
    major: parsed.major,
    minor: parsed.minor,
    patch: parsed.patch,
    prerelease: parsed.prerelease.length > 0,
  };
}

function parsePep440(
  text: string,
): Omit<ReleaseVersion, 'scheme' | 'input' | 'tagText'> | undefined {
  const explained = pep440.explain(text);
  if (explained === null) return undefined;

  // PEP 440 "Local version identifiers" normalise their separators to ".";
  // built from `public` and `local` because pep440 4.x's `clean` joins the
  // local segments with "," (1.2.3+local.7 → 1.2.3+local,7).
  const local = explained.local === null ? '' : `+${explained.local}`;
  const normalized = `${explained.public}${local}`;

  // PEP 440 "Release segment": missing components read as zero (1.2 == 1.2.0).
  const [major = 0, minor = 0, patch = 0] = explained.release;
  return {
    normalized,
    major,
    minor,
    patch,
    prerelease: explained.is_prerelease || explained.is_devrelease,
  };
}

/**
 * A tag holds only `[A-Za-z0-9_.-]` (distribution-spec, "Pulling manifests"),
 * so SemVer build metadata's `+` and PEP 440's epoch `!` and local `+` become
 * `-`, as docker/metadata-action does for `+`.
 */
export function toTagText(normalized: string): string {
  return normalized.replace(/[^\w.-]/g, '-');
}

/**
 * SemVer build metadata (semver.org item 10, `1.2.3+build.5`) plays no part
 * in precedence, and node-semver leaves it out of the normalized version, so
 * no tag or annotation carries it: a release of 1.2.3+build.5 writes the
 * tags of 1.2.3. Returns a warning saying so, or undefined when none is due.
 */
export function droppedBuildMetadata(version: ReleaseVersion): string | undefined {
  if (version.scheme !== 'semver') return undefined;
  const build = semver.parse(version.input.trim())?.build ?? [];
  if (build.length === 0) return undefined;
  return (
    `build metadata "+${build.join('.')}" of version ${version.input.trim()} is not ` +
    `part of any tag or annotation: the release is tagged as ${version.normalized}`
  );
}

function invalidVersion(text: string, scheme: VersionScheme): GantryError {
  const example =
    scheme === 'semver' ? '1.2.3 or 1.2.3-rc.1' : '1.2.3, 1.2.3rc1 or 1!2.0';
  const other = scheme === 'semver' ? 'pep440' : 'semver';
  return new GantryError(
    ErrorCode.InvalidVersion,
    `version ${JSON.stringify(text)} is not a valid ${scheme} version`,
    {
      hint: `write it like ${example}, or set "scheme: ${other}" in the release file`,
      details: { version: text, scheme },
    },
  );
}

/** Where the version text of a release came from, in order of precedence. */
export type VersionSource = 'argument' | 'file' | 'environment' | 'git-tag';

export interface VersionInputs {
  /** `--version` on the command line. */
  argument?: string;
  /** `version:` written in the release file. */
  file?: string;
  /** The name of the environment variable the file names, and its value. */
  environment?: { name: string; value: string | undefined };
  /** `git describe --tags --exact-match` of HEAD, when there is one. */
  gitTag?: string;
}

/**
 * Picks the version text: the argument, then the file's literal, then the
 * environment variable the file names, then the git tag of HEAD. A file that
 * names a variable asks for it explicitly: when it is unset or empty the
 * release fails rather than take a git tag the user did not pick.
 */
export function chooseVersionText(inputs: VersionInputs): {
  text: string;
  from: VersionSource;
} {
  if (inputs.argument !== undefined) return { text: inputs.argument, from: 'argument' };
  if (inputs.file !== undefined) return { text: inputs.file, from: 'file' };
  const environment = inputs.environment;
  if (environment !== undefined) {
    const { name, value } = environment;
    if (value !== undefined && value !== '') return { text: value, from: 'environment' };
    throw new GantryError(
      ErrorCode.InvalidVersion,
      `no release version: the release file takes it from $${name}, ` +
        `which is ${value === undefined ? 'not set' : 'empty'}`,
      { hint: `set ${name}=1.2.3, or pass --version 1.2.3` },
    );
  }
  if (inputs.gitTag !== undefined) return { text: inputs.gitTag, from: 'git-tag' };

  throw new GantryError(
    ErrorCode.InvalidVersion,
    'no release version: none given, none in the release file, ' +
      'and HEAD carries no git tag',
    { hint: 'pass --version 1.2.3, or tag the commit (git tag v1.2.3)' },
  );
}
