import type { RegistryClient } from '../registry/client.js';
import type { PlannedImage, ReleasePlan } from '../release/plan-types.js';
import { openTarget } from '../store/open-target.js';
import type { ReadTarget } from '../store/target.js';
import { failureAt, type Place } from './check-image.js';
import { checkLayers, type PlannedFile } from './layers.js';
import { type ImageTree, readImage } from './read-image.js';
import type { Findings } from './types.js';

/**
 * The layer checks of one published release image, from its plan: which
 * files gantry placed per platform (the base image's files; a variant's
 * narrowed by `copy`) and which base image a variant was built on.
 */
export class ReleaseLayers {
  readonly #bases = new Map<string, Promise<ImageTree>>();

  constructor(
    readonly plan: ReleasePlan,
    readonly baseDir: string,
    readonly client: RegistryClient,
  ) {}

  async check(
    findings: Findings,
    target: ReadTarget,
    tree: ImageTree,
    name: string,
    place: Place,
  ): Promise<void> {
    const image = this.plan.images.find((candidate) => candidate.name === name);
    if (image === undefined) return;
    const base =
      image.kind === 'variant' && image.from ? await this.#base(image.from) : undefined;
    for (const platform of tree.platforms) {
      const baseImage = base?.platforms.find((p) => p.platform === platform.platform);
      await checkLayers(
        findings,
        target,
        platform,
        {
          baseLayers: baseImage?.manifest.layers ?? [],
          files: this.#files(image, platform.platform),
          baseDir: this.baseDir,
        },
        failureAt(place),
      );
    }
  }

  #base(reference: string): Promise<ImageTree> {
    let tree = this.#bases.get(reference);
    if (tree === undefined) {
      tree = (async () => {
        const { target, ref } = await openTarget(reference, {
          client: this.client,
          readOnly: true,
        });
        return readImage(target, await target.resolve(ref ?? 'latest'));
      })();
      this.#bases.set(reference, tree);
    }
    return tree;
  }

  #files(image: PlannedImage, platform: string): PlannedFile[] {
    const base = this.plan.images.find((candidate) => candidate.kind === 'base');
    const build = base?.builds.find((candidate) => candidate.platform === platform);
    const files = build?.files ?? [];
    if (image.kind === 'base' || image.copy === undefined || image.copy === 'all') {
      return files;
    }
    const paths = image.copy.map((path) => path.replace(/\/+$/, ''));
    return files.filter((file) =>
      paths.some(
        (path) =>
          path === '' || file.target === path || file.target.startsWith(`${path}/`),
      ),
    );
  }
}
