import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log } from './log.js';

/**
 * The benchmark's inputs, made once and kept in bench/.cache/ (gitignored):
 * the real esbuild binaries for amd64 and arm64 from npm, and a Debian
 * bookworm minbase root file system from debootstrap, as a tar.
 */

export const CACHE_DIR = fileURLToPath(new URL('../.cache', import.meta.url));

/**
 * Pinned so every run builds the same bytes: the esbuild that tsx brings
 * here. About 10 MiB per binary, a typical single-binary tool release.
 */
export const ESBUILD_VERSION = '0.28.2';

/** npm package per Docker/OCI architecture name (TARGETARCH). */
const ESBUILD_PACKAGES = {
  amd64: '@esbuild/linux-x64',
  arm64: '@esbuild/linux-arm64',
} as const;

export type Arch = keyof typeof ESBUILD_PACKAGES;

/** The suite and variant of the derived-image base: the smallest usable Debian. */
const DEBIAN_SUITE = 'bookworm';
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/**
 * Downloads (once) the esbuild package of each architecture with `npm pack`
 * and extracts `package/bin/esbuild`; returns the binary's path per arch.
 */
export function esbuildBinaries(): Record<Arch, string> {
  const dir = join(CACHE_DIR, `esbuild-${ESBUILD_VERSION}`);
  mkdirSync(dir, { recursive: true });
  const paths = {} as Record<Arch, string>;
  for (const [arch, name] of Object.entries(ESBUILD_PACKAGES) as [Arch, string][]) {
    const binary = join(dir, `esbuild-${arch}`);
    paths[arch] = binary;
    if (existsSync(binary)) continue;

    log(`npm pack ${name}@${ESBUILD_VERSION}`);
    const tgz = execFileSync('npm', ['pack', '--silent', `${name}@${ESBUILD_VERSION}`], {
      cwd: dir,
      encoding: 'utf8',
    }).trim();
    const unpacked = join(dir, `unpacked-${arch}`);
    mkdirSync(unpacked, { recursive: true });
    execFileSync('tar', ['-xzf', join(dir, tgz), '-C', unpacked, 'package/bin/esbuild']);
    renameSync(join(unpacked, 'package/bin/esbuild'), binary);
    rmSync(unpacked, { recursive: true, force: true });
  }
  return paths;
}

/**
 * A tar of `debootstrap --variant=minbase bookworm` (amd64, the host's
 * architecture: debootstrap of another one needs qemu), made once. Numeric
 * owners, so the tar holds the root file system exactly as installed.
 */
export function debianRootfsTar(): string {
  const dir = join(CACHE_DIR, `debian-${DEBIAN_SUITE}`);
  const tar = join(dir, 'rootfs.tar');
  if (existsSync(tar)) return tar;

  mkdirSync(dir, { recursive: true });
  const rootfs = join(dir, 'rootfs.partial');
  if (!existsSync(join(rootfs, 'etc/os-release'))) {
    log(`debootstrap --variant=minbase ${DEBIAN_SUITE} (a few minutes, once)`);
    rmSync(rootfs, { recursive: true, force: true });
    execFileSync(
      'debootstrap',
      ['--variant=minbase', DEBIAN_SUITE, rootfs, DEBIAN_MIRROR],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  execFileSync('tar', ['--numeric-owner', '-C', rootfs, '-cf', `${tar}.partial`, '.']);
  renameSync(`${tar}.partial`, tar);
  rmSync(rootfs, { recursive: true, force: true });
  return tar;
}

/** Writes a build context folder: `files` copied in, and the Dockerfile. */
export function writeContext(
  dir: string,
  dockerfile: string,
  files: Record<string, string>,
): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, source] of Object.entries(files)) {
    execFileSync('cp', ['--reflink=auto', source, join(dir, name)]);
  }
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

/**
 * (a): the release image of a single-binary tool. TARGETARCH is declared in
 * the stage, as BuildKit requires before a stage may use it.
 */
export const SCRATCH_DOCKERFILE = [
  'FROM scratch',
  'ARG TARGETARCH',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile variable
  'COPY esbuild-${TARGETARCH} /usr/local/bin/esbuild',
  'ENTRYPOINT ["/usr/local/bin/esbuild"]',
  '',
].join('\n');

/** (b): one COPY on a real base image in the same registry. */
export function derivedDockerfile(base: string): string {
  return [
    `FROM ${base}`,
    'COPY esbuild /usr/local/bin/',
    'ENTRYPOINT ["/usr/local/bin/esbuild"]',
    '',
  ].join('\n');
}

/** Turns the root file system tar into a one-layer base image. */
export const BASE_DOCKERFILE = [
  'FROM scratch',
  'ADD rootfs.tar /',
  'CMD ["bash"]',
  '',
].join('\n');
