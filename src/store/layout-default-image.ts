import { OciArchiveTarget } from './oci-archive.js';
import { OciLayoutTarget } from './oci-layout.js';
import type { ReadTarget } from './target.js';

/**
 * Which image a layout or an archive named without tag or digest means, as
 * skopeo reads `oci:PATH`: its only image (BuildKit's archives name none),
 * else the one tagged `latest`. Registries are not asked here: a registry
 * reference without a tag already means `latest`.
 */

/** The tag Docker and skopeo fall back to when a reference names none. */
export const DEFAULT_TAG = 'latest';

export interface DefaultImage {
  /** The tag or digest to resolve, or undefined when the choice is the user's. */
  image: string | undefined;
  /** Every image the target holds, by name (or digest when unnamed). */
  choices: string[];
}

export async function defaultImage(target: ReadTarget): Promise<DefaultImage> {
  const choices = await imageChoices(target);
  if (choices.length === 1) return { image: choices[0], choices };
  return { image: choices.includes(DEFAULT_TAG) ? DEFAULT_TAG : undefined, choices };
}

/** Every entry of index.json (named or not), or a docker archive's names. */
async function imageChoices(target: ReadTarget): Promise<string[]> {
  if (target instanceof OciLayoutTarget || target instanceof OciArchiveTarget) {
    const index = await target.readIndex();
    return index.entries.map((e) => e.refName ?? e.descriptor.digest.toString());
  }
  return target.tags();
}

/** The choices as messages list them. */
export function describeChoices(choices: readonly string[]): string {
  return choices.length === 0 ? 'it holds no image' : `it holds ${choices.join(', ')}`;
}
