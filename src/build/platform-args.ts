import { type Platform, platformToString } from '../oci/platform.js';
import type { LayerInput } from './entries.js';

/**
 * BuildKit's automatic platform arguments (Dockerfile reference, "Automatic
 * platform ARGs in the global scope"): TARGETPLATFORM, TARGETOS,
 * TARGETARCH, TARGETVARIANT and the same four for BUILDPLATFORM, the
 * machine running the build. They are substituted in layer inputs' paths
 * in the forms users write: `$TARGETARCH` and `${TARGETARCH}`.
 */

export type PlatformArgs = Readonly<Record<string, string>>;

/** The eight arguments for building `target` on `build`. */
export function platformArgs(target: Platform, build: Platform): PlatformArgs {
  return { ...argsOf('TARGET', target), ...argsOf('BUILD', build) };
}

/** The platform of the machine gantry runs on, as Go names it (GOOS/GOARCH). */
export function hostPlatform(): Platform {
  const arch = HOST_ARCH[process.arch] ?? process.arch;
  return {
    os: process.platform === 'win32' ? 'windows' : process.platform,
    architecture: arch,
  };
}

/** Node's `process.arch` names that differ from Go's GOARCH. */
const HOST_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386' };

/**
 * `text` with every `$NAME` and `${NAME}` of `args` replaced. Names not in
 * `args` are left as written, so a literal `$HOME` in a path survives.
 */
export function substituteArgs(text: string, args: PlatformArgs): string {
  return text.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (whole, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      return Object.hasOwn(args, name) ? (args[name] ?? whole) : whole;
    },
  );
}

/** A layer input with the arguments substituted in its source and destination. */
export function substituteInput(input: LayerInput, args: PlatformArgs): LayerInput {
  const next: Record<string, unknown> = { ...input };
  for (const key of ['source', 'destination', 'directory', 'symlink'] as const) {
    const value = next[key];
    if (typeof value === 'string') next[key] = substituteArgs(value, args);
  }
  return next as unknown as LayerInput;
}

function argsOf(prefix: 'TARGET' | 'BUILD', platform: Platform): Record<string, string> {
  return {
    [`${prefix}PLATFORM`]: platformToString(platform),
    [`${prefix}OS`]: platform.os,
    [`${prefix}ARCH`]: platform.architecture,
    [`${prefix}VARIANT`]: platform.variant ?? '',
  };
}
