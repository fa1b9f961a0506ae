import { ErrorCode, GantryError } from '../errors.js';

/**
 * The platform an image runs on: image-spec image-index.md, "platform"
 * (`architecture`, `os`, `os.version`, `os.features`, `variant`), with the
 * values of the Go runtime's GOOS/GOARCH.
 */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
  osFeatures?: string[];
}

/** os and architecture: lowercase Go names (`linux`, `amd64`, `386`, `ppc64le`). */
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/** An arm or arm64 variant: `v5` … `v9`, or a point release such as `v8.2`. */
const ARM_VARIANT_PATTERN = /^v[0-9]+(\.[0-9]+)?$/;

/** amd64 micro-architecture levels (GOAMD64): `v1` … `v4`. */
const AMD64_VARIANT_PATTERN = /^v[1-4]$/;

/** Architecture aliases used by distributions and `uname -m` (containerd's table). */
const ARCH_ALIASES: Record<string, { architecture: string; variant?: string }> = {
  aarch64: { architecture: 'arm64' },
  x86_64: { architecture: 'amd64' },
  'x86-64': { architecture: 'amd64' },
  i386: { architecture: '386' },
  i686: { architecture: '386' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v6' },
};

/**
 * The arm variant assumed when none is given: Docker and containerd run
 * `linux/arm` as `linux/arm/v7`, the most common 32-bit ARM target.
 */
export const DEFAULT_ARM_VARIANT = 'v7';

/**
 * Parses `os/arch` or `os/arch/variant`, as typed by users (`--platform`).
 * The result is as written; call `normalizePlatform` before comparing.
 */
export function parsePlatform(text: string): Platform {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3) {
    throw invalidPlatform(
      text,
      `expected os/arch or os/arch/variant, got ${parts.length} part(s)`,
    );
  }

  const [os, architecture, variant] = parts as [string, string, string | undefined];
  const platform: Platform =
    variant === undefined ? { os, architecture } : { os, architecture, variant };
  const problem = platformProblem(platform);
  if (problem !== undefined) throw invalidPlatform(text, problem);
  return platform;
}

/**
 * Parses a platform a user asks for and normalises it (`linux/aarch64` →
 * linux/arm64, `linux/x86_64` → linux/amd64), the form every match uses.
 */
export function parseWantedPlatform(text: string): Platform {
  return normalizePlatform(parsePlatform(text));
}

/** `os/arch[/variant]`; the inverse of `parsePlatform`. */
export function platformToString(platform: Platform): string {
  const base = `${platform.os}/${platform.architecture}`;
  return platform.variant ? `${base}/${platform.variant}` : base;
}

/**
 * The canonical form used for matching: aliases resolved (`aarch64` →
 * arm64, `x86_64` → amd64, `armhf` → arm/v7, `armel` → arm/v6), arm64 `v8`
 * dropped (it is the only arm64 baseline: image-spec lists it, containerd
 * normalises it away), amd64 `v1` dropped (the baseline level), arm without
 * variant read as `v7`, and bare digits read as `v<n>` on arm.
 */
export function normalizePlatform(platform: Platform): Platform {
  const os = platform.os.toLowerCase();
  let architecture = platform.architecture.toLowerCase();
  let variant = platform.variant === '' ? undefined : platform.variant?.toLowerCase();

  const alias = ARCH_ALIASES[architecture];
  if (alias !== undefined) {
    architecture = alias.architecture;
    variant = variant ?? alias.variant;
  }

  if ((architecture === 'arm' || architecture === 'arm64') && variant !== undefined) {
    if (/^[0-9]+$/.test(variant)) variant = `v${variant}`;
  }
  if (architecture === 'arm64' && variant === 'v8') variant = undefined;
  if (architecture === 'amd64' && variant === 'v1') variant = undefined;
  if (architecture === 'arm' && variant === undefined) variant = DEFAULT_ARM_VARIANT;

  return withOptional({ os, architecture }, { ...platform, variant });
}

/**
 * What is wrong with a platform, or undefined when it is valid: names must
 * be lowercase Go names and arm/arm64/amd64 variants must be `v<n>`.
 * `armv8` is a known misspelling of `v8` and is reported, never matched.
 */
export function platformProblem(platform: Platform): string | undefined {
  const { os, architecture, variant } = platform;
  if (os === '') return 'the os is empty';
  if (architecture === '') return 'the architecture is empty';
  if (!NAME_PATTERN.test(os)) return `os "${os}" is not a lowercase name`;
  if (!NAME_PATTERN.test(architecture)) {
    return `architecture "${architecture}" is not a lowercase name`;
  }
  if (variant === undefined) return undefined;
  if (variant === '') return 'the variant is empty';
  if (!NAME_PATTERN.test(variant)) return `variant "${variant}" is not a lowercase name`;

  const arch = ARCH_ALIASES[architecture]?.architecture ?? architecture;
  if ((arch === 'arm' || arch === 'arm64') && !ARM_VARIANT_PATTERN.test(variant)) {
    return `variant "${variant}" is not an ${arch} variant (v5, v6, v7, v8 ...)`;
  }
  if (arch === 'amd64' && !AMD64_VARIANT_PATTERN.test(variant)) {
    return `variant "${variant}" is not an amd64 level (v1 ... v4)`;
  }
  return undefined;
}

/** Throws InvalidPlatform when `platformProblem` finds something. */
export function assertValidPlatform(platform: Platform): void {
  const problem = platformProblem(platform);
  if (problem !== undefined) throw invalidPlatform(platformToString(platform), problem);
}

function invalidPlatform(text: string, problem: string): GantryError {
  return new GantryError(
    ErrorCode.InvalidPlatform,
    `invalid platform "${text}": ${problem}`,
    {
      hint: 'write os/arch or os/arch/variant, e.g. linux/amd64 or linux/arm/v7',
    },
  );
}

/** Copies osVersion and osFeatures (when set) from `source` onto `target`. */
function withOptional(target: Platform, source: Platform): Platform {
  const result: Platform = { ...target };
  if (source.variant !== undefined) result.variant = source.variant;
  if (source.osVersion !== undefined) result.osVersion = source.osVersion;
  if (source.osFeatures !== undefined) result.osFeatures = [...source.osFeatures];
  return result;
}
