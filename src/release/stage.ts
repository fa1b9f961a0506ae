import { attestRelease } from '../attest/release.js';
import { BaseCache } from '../build/base.js';
import { type BuildResult, buildImages } from '../build/build-image.js';
import { DeflatePool } from '../build/gzip-pool.js';
import { throwIfAborted } from '../copy/errors.js';
import { createLimit, settleAll } from '../copy/limit.js';
import type { Digest } from '../oci/digest.js';
import { platformToString } from '../oci/platform.js';
import { type ImageBuilds, planBuilds } from './builds.js';
import type { BuiltReleaseImage, ExecuteOptions } from './execute-types.js';
import { checkBaseFiles, checkLocalBases } from './file-sources.js';
import type { ReleasePlan } from './plan-types.js';

/**
 * Builds every planned image, attestations included, into staging (memory
 * and the layer cache), writing nothing to any destination. The real run
 * and `--dry-run` both call this, so the digests a dry-run shows are the
 * ones the release pushes.
 */

/** What staging needs: the run's client, files, cache and attestation settings. */
export type StageOptions = Pick<
  ExecuteOptions,
  'client' | 'baseDir' | 'cacheDir' | 'attestations' | 'onEvent' | 'signal'
> & {
  /**
   * Each image as soon as it is staged (a release pushes it while the next
   * ones build). A result handed over is the receiver's to dispose, even
   * when staging fails later; without this, staging disposes its own.
   */
  onStaged?: (image: string, result: BuildResult) => void;
};

/**
 * Images built at once while staging. A build alternates between CPU work
 * (gzip on libuv's threads, hashing) and waiting on the base
 * image's registry; three keeps both cores of a small CI machine busy while
 * one build waits. Six built the 25-image release no faster on two cores
 * (bench/release/profile.ts), and each image in flight holds its layers.
 */
export const STAGE_CONCURRENCY = 3;

/**
 * Builds every image into staging, several at once (STAGE_CONCURRENCY);
 * results by image name in publication order, whatever finished first.
 */
export async function stageRelease(
  plan: ReleasePlan,
  options: StageOptions,
): Promise<Map<string, BuildResult>> {
  const images = planBuilds(plan, options.baseDir);
  // A missing file or local base fails here, at its release file entry,
  // before any build.
  await checkBaseFiles(plan, options.baseDir);
  await checkLocalBases(plan, options.client);
  const done = new Map<string, BuildResult>();
  // The first failure stops the builds that have not started yet.
  const stop = new AbortController();
  const signals = options.signal === undefined ? [] : [options.signal];
  const signal = AbortSignal.any([stop.signal, ...signals]);
  const limit = createLimit(STAGE_CONCURRENCY);
  // One gzip pool for every image, so its limit on blocks deflated at
  // once holds across the images built side by side.
  const pool = new DeflatePool();
  // Variants that share a base, and each image's platforms, read it once.
  const bases = new BaseCache();
  try {
    const tasks = images.map((image, index) =>
      limit(async () => {
        throwIfAborted(signal);
        const run = { ...options, pool, bases };
        const result = await stageImage(plan, image, index, images, run);
        done.set(image.image, result);
        options.onStaged?.(image.image, result);
      }),
    );
    await settleAll(tasks, (error) => stop.abort(error));
    return new Map(images.map((image) => [image.image, done.get(image.image)!]));
  } catch (error) {
    const kept = options.onStaged === undefined ? [...done.values()] : [];
    await Promise.all(kept.map((result) => result.dispose()));
    throw error;
  } finally {
    await pool.close();
  }
}

/** One image and its attestations, into its own staging. */
async function stageImage(
  plan: ReleasePlan,
  image: ImageBuilds,
  index: number,
  images: ImageBuilds[],
  options: StageOptions & { pool: DeflatePool; bases: BaseCache },
): Promise<BuildResult> {
  options.onEvent?.({
    type: 'building',
    image: image.image,
    number: index + 1,
    of: images.length,
    platforms: image.builds.map((build) => platformToString(build.platform)),
  });
  const epoch = plan.created === undefined ? undefined : epochOf(plan.created);
  const bases = new Map<string, { ref: string; digest: Digest }>();
  const built = await buildImages(image.builds, {
    client: options.client,
    pool: options.pool,
    bases: options.bases,
    ...image.options,
    ...(epoch === undefined ? {} : { epoch }),
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    onEvent: (event) => {
      if (event.type === 'image') {
        const platform = platformToString(event.platform);
        options.onEvent?.({ type: 'platform-built', image: image.image, platform });
      }
      if (event.type !== 'base') return;
      const { ref, digest } = event;
      bases.set(platformToString(event.platform), { ref, digest });
    },
  });
  try {
    // Attestations (src/attest): the index gains them, or its staging serves referrers.
    const attestations = options.attestations ?? plan.attestations;
    const attestInput = { plan, image: image.image, builds: image.builds, bases };
    const result = await attestRelease(built, attestations, {
      ...attestInput,
      baseDir: options.baseDir,
    });
    options.onEvent?.({
      type: 'built',
      image: image.image,
      digest: result.root.digest,
      platforms: result.manifests.length,
    });
    return result;
  } catch (error) {
    await built.dispose();
    throw error;
  }
}

/** Seconds since the epoch of an RFC 3339 time: what layer and config times use. */
function epochOf(created: string): number {
  return Math.floor(Date.parse(created) / 1000);
}

/** One staged image as the outcome and the plan diff name it. */
export function describeBuilt(
  name: string,
  results: ReadonlyMap<string, BuildResult>,
): BuiltReleaseImage {
  const result = results.get(name)!;
  return {
    name,
    digest: result.root.digest,
    mediaType: result.root.mediaType,
    platforms: result.manifests.map((built) => ({
      platform: platformToString(built.platform),
      digest: built.manifest.digest,
    })),
  };
}
