import { type Descriptor, isAttestation } from '../oci/descriptor.js';
import { platformToString } from '../oci/platform.js';
import type { RegistryClient } from '../registry/client.js';
import type { PlannedImage, ReleasePlan } from '../release/plan-types.js';
import { openTarget } from '../store/open-target.js';
import type { ReadTarget } from '../store/target.js';
import { failureAt, type Place } from './check-image.js';
import { checkLayers, type PlannedFile, topLayerEntries } from './layers.js';
import { type ImageTree, readImage, readManifest } from './read-image.js';
import type { Findings } from './types.js';

/**
 * The layer checks of one published release image, from its plan: which
 * files gantry placed per platform (the base image's files; a variant's
 * narrowed by `copy`) and which base image a variant was built on.
 */
export class ReleaseLayers {
  readonly #bases = new Map<string, Promise<BasePlatform[]>>();
  /**
   * Top layers read, by destination and digest: every image of a release
   * has the same files layer per platform, so each destination's copy of
   * it is read (and its digest checked) once, not once per image.
   */
  readonly #tops = new Map<string, ReturnType<typeof topLayerEntries>>();

  constructor(
    readonly plan: ReleasePlan,
    readonly baseDir: string,
    readonly client: RegistryClient,
  ) {}

  /** The layer checks; returns the digests of the layers it read whole. */
  async check(
    findings: Findings,
    target: ReadTarget,
    tree: ImageTree,
    name: string,
    place: Place,
  ): Promise<Set<string>> {
    const read = new Set<string>();
    const image = this.plan.images.find((candidate) => candidate.name === name);
    if (image === undefined) return read;
    const base =
      image.kind === 'variant' && image.from ? await this.#base(image.from) : undefined;
    for (const platform of tree.platforms) {
      const baseImage = base?.find((p) => p.platform === platform.platform);
      const top = await checkLayers(
        findings,
        target,
        platform,
        {
          baseLayers: baseImage?.layers ?? [],
          files: this.#files(image, platform.platform),
          baseDir: this.baseDir,
          readTop: (from, layer) => this.#top(from, layer),
        },
        failureAt(place),
      );
      if (top !== undefined) read.add(`${top.digest}`);
    }
    return read;
  }

  #base(reference: string): Promise<BasePlatform[]> {
    let platforms = this.#bases.get(reference);
    if (platforms === undefined) {
      platforms = (async () => {
        const { target, ref } = await openTarget(reference, {
          client: this.client,
          readOnly: true,
        });
        return basePlatforms(target, await target.resolve(ref ?? 'latest'));
      })();
      this.#bases.set(reference, platforms);
    }
    return platforms;
  }

  #top(target: ReadTarget, layer: Descriptor): ReturnType<typeof topLayerEntries> {
    const key = `${target.description} ${layer.digest}`;
    let entries = this.#tops.get(key);
    if (entries === undefined) {
      entries = topLayerEntries(target, layer);
      this.#tops.set(key, entries);
    }
    return entries;
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

/** A base image's layers for one platform (`os/arch[/variant]`). */
interface BasePlatform {
  platform: string;
  layers: readonly Descriptor[];
}

/**
 * The base's platforms as its index entries declare them (the build picks
 * a base by them too), each with its manifest's layers: configs are not
 * read. A single manifest, or an entry without a platform, is read whole.
 */
async function basePlatforms(
  target: ReadTarget,
  root: Descriptor,
): Promise<BasePlatform[]> {
  const manifest = await readManifest(target, root);
  const entries = manifest.kind === 'index' ? manifest.manifests : [];
  const images = entries.filter((entry) => !isAttestation(entry));
  if (manifest.kind === 'manifest' || images.some((e) => e.platform === undefined)) {
    const tree: ImageTree = await readImage(target, root);
    return tree.platforms.map((p) => ({
      platform: p.platform,
      layers: p.manifest.layers,
    }));
  }
  const read = images.map(async (entry) => {
    const child = await readManifest(target, entry);
    const layers = child.kind === 'manifest' ? child.layers : [];
    return { platform: platformToString(entry.platform!), layers };
  });
  return Promise.all(read);
}
