import { normalizePlatform, type Platform } from './platform.js';

/**
 * The operating systems and architectures a platform a user types may
 * name. The image-spec (image-index.md, "platform") says `os` and
 * `architecture` SHOULD take the values Go lists for `$GOOS` and `$GOARCH`
 * (go.dev/doc/install/source#environment); these are Go's complete lists
 * (`knownOS` and `knownArch` in go/build/syslist.go), ports that are gone
 * included, so that no name an image might carry is refused. Only user
 * input is checked: what a registry or an index says is read as it is
 * (attestation manifests carry `unknown/unknown`).
 */
export const KNOWN_OS: readonly string[] = [
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'hurd',
  'illumos',
  'ios',
  'js',
  'linux',
  'nacl',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'wasip1',
  'windows',
  'zos',
];

export const KNOWN_ARCHITECTURES: readonly string[] = [
  '386',
  'amd64',
  'amd64p32',
  'arm',
  'armbe',
  'arm64',
  'arm64be',
  'loong64',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  'mips64p32',
  'mips64p32le',
  'ppc',
  'ppc64',
  'ppc64le',
  'riscv',
  'riscv64',
  's390',
  's390x',
  'sparc',
  'sparc64',
  'wasm',
];

/** The part of a platform Go does not know, with the values it does know. */
export interface UnknownPlatformPart {
  part: 'os' | 'architecture';
  value: string;
  known: readonly string[];
}

/**
 * Which part of a syntactically valid platform names no known OS or
 * architecture; undefined when both are known. Aliases (`aarch64`,
 * `x86_64`) count under the name they stand for.
 */
export function unknownPlatformPart(platform: Platform): UnknownPlatformPart | undefined {
  const { os, architecture } = normalizePlatform(platform);
  if (!KNOWN_OS.includes(os)) return { part: 'os', value: platform.os, known: KNOWN_OS };
  if (!KNOWN_ARCHITECTURES.includes(architecture)) {
    return {
      part: 'architecture',
      value: platform.architecture,
      known: KNOWN_ARCHITECTURES,
    };
  }
  return undefined;
}
