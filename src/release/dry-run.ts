import type { RegistryClient } from '../registry/client.js';
import { currentTags } from './execute-targets.js';
import type { BuiltReleaseImage } from './execute-types.js';
import { stageFromDigests } from './from-digests.js';
import { comparePlan, type PlanDiff } from './plan-diff.js';
import type { ReleasePlan } from './plan-types.js';
import { describeBuilt, type StageOptions, stageRelease } from './stage.js';

/**
 * `gantry release --dry-run`: the release up to its first write. Every
 * image is staged exactly as the real run stages it (the same
 * `stageRelease`: builds, layer cache, attestations, times from the plan's
 * `created`), so each tag's planned digest is the one the release will
 * push; then every planned tag is compared with what its destination
 * holds now. Destinations are only read: tags resolved, base images read
 * by manifest and config. The staged content is dropped afterwards.
 *
 * The digests hold as long as the inputs do: a base image tag that moves
 * between the dry-run and the release changes the variants built on it.
 * A tag whose image carries a newer version shows as held (plan-hold.ts),
 * unless `allowDowngrade`.
 */

/** Whether the comparison moves tags that hold a newer release anyway. */
export interface DowngradeOption {
  allowDowngrade?: boolean;
}

export interface DryRun {
  plan: ReleasePlan;
  /** Per destination and tag: new, moves (from, to), stays or held. */
  diff: PlanDiff;
  /** Each staged image: its index digest and platform manifests. */
  images: BuiltReleaseImage[];
}

export async function dryRunRelease(
  plan: ReleasePlan,
  options: StageOptions & DowngradeOption,
): Promise<DryRun> {
  const results = await stageRelease(plan, options);
  try {
    const images = plan.images.map((image) => describeBuilt(image.name, results));
    const planned = new Map(images.map((image) => [image.name, image.digest]));
    const diff = await comparePlan(plan, currentTags(options.client), {
      planned,
      allowDowngrade: options.allowDowngrade === true,
    });
    return { plan, diff, images };
  } finally {
    await Promise.all([...results.values()].map((result) => result.dispose()));
  }
}

/**
 * `--dry-run --from-digests`: the base image's index as `--from-digests`
 * will assemble it (only the pushed platform manifests are read), compared
 * with what each destination holds now.
 */
export async function dryRunFromDigests(
  plan: ReleasePlan,
  metadataFiles: readonly string[],
  options: { client: RegistryClient } & DowngradeOption,
): Promise<DryRun> {
  const image = await stageFromDigests(plan, metadataFiles, options.client);
  const planned = new Map([[image.name, image.digest]]);
  const diff = await comparePlan(plan, currentTags(options.client), {
    planned,
    allowDowngrade: options.allowDowngrade === true,
  });
  return { plan, diff, images: [image] };
}
