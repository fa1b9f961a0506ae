import { ErrorCode, GantryError } from '../errors.js';
import { type Descriptor, isAttestation } from '../oci/descriptor.js';
import { parseManifest } from '../oci/manifest.js';
import { isImageConfigType } from '../oci/mediatype.js';
import { platformToString } from '../oci/platform.js';
import { assertTaggable, parseReference, parseRepository } from '../reference/parse.js';
import type { ArchiveImage } from './docker-archive-names.js';
import { assertRegistryTag } from './names.js';

/**
 * Tags of a docker-save archive being written: which names it takes, what
 * they may point at, and how RepoTags move when a name is given again.
 */

/** distribution-spec v1.1, "Referrers Tag Schema": `<alg>-<ref>`. */
const REFERRERS_TAG_PATTERN = /^(sha256-[0-9a-f]{64}|sha512-[0-9a-f]{128})$/;

export function isReferrersTag(name: string): boolean {
  return REFERRERS_TAG_PATTERN.test(name);
}

/**
 * The RepoTags value for `tag`: a full reference (`example.com/app:1.0`)
 * as it is, normalised; a plain tag in `repository`.
 */
export function repoTagFor(
  tag: string,
  repository: string | undefined,
  where: string,
): string {
  if (tag.includes('/') || tag.includes(':')) {
    const reference = parseReference(tag);
    assertTaggable(reference);
    return `${reference.name}:${reference.tag}`;
  }
  assertRegistryTag(tag, where);
  if (repository === undefined) {
    throw new GantryError(
      ErrorCode.Usage,
      `${where}: cannot name the tag "${tag}" without a repository: ` +
        'RepoTags in manifest.json are full references',
      { hint: 'give the repository (e.g. docker.io/library/app), or tag with name:tag' },
    );
  }
  return `${parseRepository(repository).name}:${tag}`;
}

/**
 * Only an image manifest with an image config has a place in manifest.json.
 * An index must first be narrowed to one platform; the error names them.
 */
export function checkImageTaggable(
  bytes: Uint8Array,
  descriptor: Descriptor,
  where: string,
): void {
  const manifest = parseManifest(bytes, {
    descriptorMediaType: descriptor.mediaType,
    where: `${descriptor.digest} in ${where}`,
  });
  if (manifest.kind === 'index') {
    const platforms = manifest.manifests
      .filter((d) => !isAttestation(d))
      .map((d) => (d.platform === undefined ? 'unknown' : platformToString(d.platform)));
    const example = platforms[0] ?? 'linux/amd64';
    throw new GantryError(
      ErrorCode.Unsupported,
      `${where}: a docker-save archive holds one image per tag, and ` +
        `${descriptor.digest} is an index of ${platforms.length} ` +
        `(${platforms.join(', ') || 'none'})`,
      {
        hint: `pass a platform to copy one image, e.g. --platform ${example}`,
        details: { platforms },
      },
    );
  }
  if (!isImageConfigType(manifest.config.mediaType)) {
    throw new GantryError(
      ErrorCode.Unsupported,
      `${where}: ${descriptor.digest} is an artifact (config type ` +
        `${manifest.config.mediaType}), not an image docker load can read`,
      { hint: 'copy artifacts to a registry or an OCI layout instead' },
    );
  }
}

/**
 * The images with `repoTag` on `descriptor`'s image and on no other; an
 * image left with no name is dropped from the list (its blobs stay).
 */
export function withRepoTag(
  images: readonly ArchiveImage[],
  descriptor: Descriptor,
  repoTag: string,
): ArchiveImage[] {
  const same = (t: string) => canonical(t) === repoTag;
  const moved = images
    .map((image) => ({ ...image, repoTags: image.repoTags.filter((t) => !same(t)) }))
    .filter((image, i) => image.repoTags.length > 0 || images[i]!.repoTags.length === 0);

  const target = moved.findIndex((i) => i.descriptor.digest.equals(descriptor.digest));
  if (target < 0) return [...moved, { descriptor, repoTags: [repoTag] }];
  return moved.map((image, i) =>
    i === target ? { ...image, repoTags: [...image.repoTags, repoTag] } : image,
  );
}

function canonical(repoTag: string): string | undefined {
  try {
    const reference = parseReference(repoTag);
    return `${reference.name}:${reference.tag}`;
  } catch {
    return undefined;
  }
}
