import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_GZIP_LEVEL } from '../../src/build/gzip-parallel.js';
import { type Measured, measure } from '../copy/measure.js';

/**
 * The two builders under test, each run as its own process the way a CI
 * job runs it: gantry's built CLI, and buildah with chroot isolation. Each
 * build-and-push counts from the first process started to the last one's
 * exit; set-up and clean-up between runs are not timed.
 */

export const GANTRY_BIN = fileURLToPath(new URL('../../bin/gantry.cjs', import.meta.url));
export const BUILDAH = 'buildah';

/** How gantry compresses layers here: its default, zlib (pigz-style blocks). */
export const GANTRY_GZIP = `zlib ${DEFAULT_GZIP_LEVEL}`;
/**
 * How buildah compresses them: containers/image's gzip compressor calls
 * pgzip.NewWriter when no level is set (pkg/compression/compression.go),
 * that is flate.DefaultCompression, which klauspost/compress turns into
 * its level 5, a single-pass encoder without lazy matching (flate/deflate.go,
 * compressor.init). `buildah manifest push` 1.28 takes no level to change.
 */
export const BUILDAH_GZIP = 'pgzip default (klauspost 5)';

/** Every build targets these, so (a) has one binary per architecture. */
export const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;

/**
 * buildah's storage lives here, on the disk of /var/lib/containers, one
 * fresh folder per run: nothing built, pulled or remembered by an earlier
 * run (buildah keeps its blob-info cache under the storage root) helps the
 * next, as on a fresh CI runner. The default storage is never touched.
 */
const BUILDAH_STORAGE_PARENT = '/var/tmp';

export interface BuildJob {
  /** Build context folder, holding the Dockerfile. */
  context: string;
  platforms: readonly string[];
  /** Registry reference to push to: a fresh repository each run. */
  destination: string;
}

/**
 * gantry build with `--no-cache` (cold), or with a layer cache folder that
 * an earlier build filled (warm); at its default gzip level unless `level`.
 */
export async function gantryBuild(
  job: BuildJob,
  cacheDir?: string,
  level?: number,
): Promise<Measured> {
  const cache = cacheDir === undefined ? ['--no-cache'] : ['--cache-dir', cacheDir];
  const args = [GANTRY_BIN, 'build', '--platform', job.platforms.join(',')];
  if (level !== undefined) args.push('--compression-level', String(level));
  args.push('--output', job.destination, ...cache);
  args.push('-f', join(job.context, 'Dockerfile'), job.context);
  return measure(process.execPath, args);
}

/**
 * `buildah build --isolation chroot` into a fresh storage, then a push:
 * `manifest push --all` of the list for several platforms, `push` of the
 * image for one. `--tls-verify=false` because the registry is plain HTTP.
 */
export async function buildahBuild(job: BuildJob): Promise<Measured> {
  const storage = new BuildahStorage();
  try {
    const name = `bench-${process.pid}`;
    const list = job.platforms.length > 1;
    const build = [
      'build',
      '--isolation',
      'chroot',
      '--tls-verify=false',
      '--quiet',
      '--platform',
      job.platforms.join(','),
      ...(list ? ['--manifest', name] : ['--tag', name]),
      '-f',
      join(job.context, 'Dockerfile'),
      job.context,
    ];
    const push = [
      ...(list ? ['manifest', 'push', '--all'] : ['push']),
      '--tls-verify=false',
      '--quiet',
      name,
      `docker://${job.destination}`,
    ];
    const built = await measure(BUILDAH, [...storage.flags, ...build]);
    const pushed = await measure(BUILDAH, [...storage.flags, ...push]);
    return { ms: built.ms + pushed.ms, stdout: built.stdout + pushed.stdout };
  } finally {
    storage.dispose();
  }
}

class BuildahStorage {
  private readonly dir = mkdtempSync(
    join(BUILDAH_STORAGE_PARENT, 'gantry-bench-buildah-'),
  );
  readonly flags = ['--root', join(this.dir, 'root'), '--runroot', join(this.dir, 'run')];

  /** Removes images first, so buildah unmounts its overlay layers itself. */
  dispose(): void {
    try {
      execFileSync(BUILDAH, [...this.flags, 'rmi', '--all', '--force'], {
        stdio: 'ignore',
      });
    } catch {
      // Nothing to remove: the build failed before storing an image.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * buildah's storage and debootstrap's chroot need root; both tools come from
 * Debian's archive. Stops early, before anything is downloaded or built.
 */
export function preflight(): void {
  if (process.getuid?.() !== 0) {
    throw new Error('bench:build runs buildah and debootstrap as root: run it as root');
  }
  for (const tool of [BUILDAH, 'debootstrap']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error(`${tool} not found: apt-get install buildah debootstrap`);
    }
  }
}

export function buildahVersion(): string {
  try {
    return execFileSync(BUILDAH, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'buildah: not found';
  }
}
