import { ErrorCode, GantryError } from '../errors.js';
import type { LatestRule, TagRules } from './file-types.js';
import { closestName } from './suggest.js';
import type { ReleaseVersion } from './version.js';

/**
 * Tag templates in the form CI users write for docker/metadata-action:
 * `{{version}}`, `{{major}}`, `{{minor}}`, `{{patch}}`, `{{sha}}`,
 * `{{sha7}}`, and in variant templates `{{suffix}}`; everything else is
 * literal. The template `sha` alone means `sha-{{sha7}}` (metadata-action's
 * `type=sha`).
 *
 * Rules for a pre-release (as metadata-action does for `type=semver`): only
 * templates that carry the full version or the commit are applied. Templates
 * built from `{{major}}` / `{{minor}}` without `{{version}}`, the bare
 * variant suffix (`alpine`) and `latest` are moving tags that users follow to
 * get the newest final release, so a pre-release never moves them.
 */

export const PLACEHOLDERS = [
  'version',
  'major',
  'minor',
  'patch',
  'sha',
  'sha7',
  'suffix',
];

/** The base image's tags when the file names none: `1.2.3`, `1.2`, `1`. */
export const DEFAULT_BASE_TAGS = ['{{version}}', '{{major}}.{{minor}}', '{{major}}'];

/**
 * Each variant suffix `s`: `1.2.3-s`, `1.2-s` and `s`; the bare suffix moves
 * with every final release, as `latest` does for the base.
 */
export const DEFAULT_VARIANT_TAGS = [
  '{{version}}-{{suffix}}',
  '{{major}}.{{minor}}-{{suffix}}',
  '{{suffix}}',
];

/** Added to the base image for a final release when `latest: auto`. */
export const LATEST_TAG = 'latest';

/** The shorthand template for the commit tag. */
export const SHA_TEMPLATE = 'sha';

/** Characters of the commit in `{{sha7}}` (git's default abbreviation). */
export const SHORT_SHA_LENGTH = 7;

/** distribution-spec, "Pulling manifests": `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`. */
export const TAG_PATTERN = /^\w[\w.-]{0,127}$/;

const PLACEHOLDER = /\{\{\s*([a-zA-Z0-9_]*)\s*\}\}/g;

/** What templates are filled with. */
export interface TagValues {
  version: ReleaseVersion;
  /** The full commit id; templates using it fail without it. */
  sha?: string;
}

/** Placeholder names used by a template (after the `sha` shorthand). */
export function placeholdersOf(template: string): string[] {
  const text = template === SHA_TEMPLATE ? 'sha-{{sha7}}' : template;
  return [...text.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
}

/**
 * Why a template cannot be used, or undefined. Variant templates must use
 * `{{suffix}}` (or every variant would claim the same tag); base templates
 * must not.
 */
export function templateProblem(
  template: string,
  kind: 'base' | 'variant',
): string | undefined {
  const names = placeholdersOf(template);
  const unknown = names.find((name) => !PLACEHOLDERS.includes(name));
  if (unknown !== undefined) {
    const near = closestName(unknown, PLACEHOLDERS);
    const guess = near === undefined ? '' : ` (did you mean {{${near}}}?)`;
    const known = PLACEHOLDERS.join(', ');
    return `unknown placeholder {{${unknown}}}${guess}; known: ${known}`;
  }
  if (/\{\{|\}\}/.test(template.replace(PLACEHOLDER, ''))) {
    return 'unbalanced "{{" or "}}"';
  }
  if (kind === 'variant' && !names.includes('suffix')) {
    return 'a variant tag template must contain {{suffix}}';
  }
  if (kind === 'base' && names.includes('suffix')) {
    return '{{suffix}} is only defined in variant tag templates';
  }
  return undefined;
}

/** True when the template moves with every release and so skips pre-releases. */
export function isMovingTemplate(template: string, kind: 'base' | 'variant'): boolean {
  const names = placeholdersOf(template);
  if (names.includes('version') || names.includes('sha') || names.includes('sha7')) {
    return false;
  }
  const usesParts = names.some((name) => ['major', 'minor', 'patch'].includes(name));
  return usesParts || (kind === 'variant' && names.every((name) => name === 'suffix'));
}

/** Fills one template; `suffix` is required for variant templates. */
export function renderTemplate(
  template: string,
  values: TagValues,
  suffix?: string,
): string {
  const text = template === SHA_TEMPLATE ? 'sha-{{sha7}}' : template;
  return text.replace(PLACEHOLDER, (_, name: string) => {
    switch (name) {
      case 'version':
        return values.version.tagText;
      case 'major':
        return String(values.version.major);
      case 'minor':
        return String(values.version.minor);
      case 'patch':
        return String(values.version.patch);
      case 'suffix':
        return suffix ?? '';
      default:
        return shaPart(template, name, values.sha);
    }
  });
}

function shaPart(template: string, name: string, sha: string | undefined): string {
  if (sha === undefined) {
    throw new GantryError(
      ErrorCode.ReleaseFile,
      `tag template "${template}" needs the git commit, and none is known`,
      { hint: 'run gantry release inside the git checkout, or drop the sha tag' },
    );
  }
  return name === 'sha7' ? sha.slice(0, SHORT_SHA_LENGTH) : sha;
}

/** The tags one image gets, in template order, without duplicates. */
export function imageTags(
  rules: TagRules,
  latest: LatestRule,
  values: TagValues,
  image: { kind: 'base' | 'variant'; suffixes: string[] },
): string[] {
  const prerelease = values.version.prerelease;
  const tags: string[] = [];
  const templates = image.kind === 'base' ? rules.base : rules.variant;
  const suffixes = image.kind === 'base' ? [undefined] : image.suffixes;

  for (const suffix of suffixes) {
    for (const template of templates) {
      if (prerelease && isMovingTemplate(template, image.kind)) continue;
      tags.push(
        `${rules.prefix}${renderTemplate(template, values, suffix)}${rules.suffix}`,
      );
    }
  }

  // `latest` is never prefixed or suffixed (metadata-action's onlatest=false).
  const wantsLatest = latest === 'auto' ? !prerelease : latest;
  if (image.kind === 'base' && wantsLatest) tags.push(LATEST_TAG);

  for (const tag of tags) checkTagText(tag, image.kind);
  return [...new Set(tags)];
}

function checkTagText(tag: string, kind: string): void {
  if (TAG_PATTERN.test(tag)) return;
  throw new GantryError(
    ErrorCode.ReleaseFile,
    `the ${kind} image's tag "${tag}" is not a valid tag`,
    { hint: 'a tag is 1 to 128 of A-Z a-z 0-9 _ . -, not starting with . or -' },
  );
}

/** One image's claim on tags, for the conflict check. */
export interface TagClaim {
  image: string;
  at?: string;
  tags: string[];
}

/**
 * Refuses two images claiming one tag: whichever was pushed last would win
 * silently. The error names both images and where the file defines them.
 */
export function checkTagConflicts(claims: readonly TagClaim[]): void {
  const owners = new Map<string, TagClaim>();
  for (const claim of claims) {
    for (const tag of claim.tags) {
      const owner = owners.get(tag);
      if (owner !== undefined && owner.image !== claim.image) {
        throw tagConflict(tag, owner, claim);
      }
      owners.set(tag, claim);
    }
  }
}

function tagConflict(tag: string, first: TagClaim, second: TagClaim): GantryError {
  const where = (claim: TagClaim) =>
    claim.at === undefined ? claim.image : `${claim.image} (${claim.at})`;
  return new GantryError(
    ErrorCode.TagConflict,
    `${second.at ?? 'release'}: tag "${tag}" is claimed by two images: ` +
      `${where(first)} and ${where(second)}`,
    {
      hint: 'give each variant its own suffixes, or change the tag templates',
      details: { tag, images: [first.image, second.image] },
    },
  );
}
