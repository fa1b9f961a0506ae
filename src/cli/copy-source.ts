import { onSide } from '../copy/errors.js';
import { type Descriptor, isAttestation } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { parseManifest } from '../oci/manifest.js';
import { isIndexType } from '../oci/mediatype.js';
import type { Platform } from '../oci/platform.js';
import { requirePlatform } from '../oci/platform-match.js';
import { describeRef } from '../reference/target-ref.js';
import { defaultImage, describeChoices } from '../store/layout-default-image.js';
import type { ReadTarget } from '../store/target.js';
import { usageError } from './options.js';

/**
 * Which image of the source `gantry copy` copies: the one the reference
 * names, the only one of a layout or archive named without a tag, or one
 * platform's image of an index when the destination cannot hold an index.
 * Every failure here is the source's.
 */

/**
 * The tag or digest of the image to copy and what it names, once the source
 * is known to hold it.
 */
export async function sourceImage(
  target: ReadTarget,
  ref: string | undefined,
): Promise<{ image: string; descriptor: Descriptor }> {
  const image = ref ?? (await onlyImage(target));
  const descriptor = await onSide('source', undefined, () => target.resolve(image));
  return { image, descriptor };
}

/**
 * A source named without tag or digest (a layout or an archive): its only
 * image, or else its `latest`, as skopeo and `gantry inspect` read it.
 */
async function onlyImage(target: ReadTarget): Promise<string> {
  const { image, choices } = await onSide('source', undefined, () =>
    defaultImage(target),
  );
  if (image !== undefined) return image;
  throw usageError(
    `${target.description}: name the image to copy (${describeChoices(choices)})`,
    'add a tag or a digest, e.g. oci:PATH:TAG or oci:PATH@sha256:...',
  );
}

/**
 * A docker-save archive has no place for an index (manifest.json lists
 * images): with one `--platform`, that platform's image of a source index
 * is copied as it is, by its digest. Returns `ref` when there is nothing
 * to pick.
 */
export async function pickImage(
  target: ReadTarget,
  ref: string,
  platforms: Platform[] | undefined,
): Promise<{ image: string; index?: Digest }> {
  if (platforms === undefined || platforms.length !== 1) return { image: ref };
  const descriptor = await onSide('source', undefined, () => target.resolve(ref));
  if (!isIndexType(descriptor.mediaType)) return { image: ref };

  const where = describeRef(target, ref);
  const bytes = await onSide('source', descriptor.digest, () =>
    target.fetchBytes(descriptor),
  );
  const index = parseManifest(bytes, {
    descriptorMediaType: descriptor.mediaType,
    where,
  });
  if (index.kind !== 'index') return { image: ref };
  const images = index.manifests.filter((entry) => !isAttestation(entry));
  const chosen = await onSide('source', descriptor.digest, async () =>
    requirePlatform(platforms[0]!, images, where),
  );
  return { image: chosen.digest.toString(), index: descriptor.digest };
}
