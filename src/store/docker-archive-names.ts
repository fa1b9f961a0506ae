import { ErrorCode, GantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { parseReference } from '../reference/parse.js';
import { notFound, REGISTRY_TAG_PATTERN } from './names.js';

/**
 * Naming the images of a docker-save archive. `RepoTags` values are
 * `name:tag` strings; an image is found by the value as written, by the
 * same reference in another spelling (`app:1` is `docker.io/library/app:1`),
 * by its tag part alone when only one image carries that tag (or, given
 * a repository, when that repository's image does), or by position as
 * `@N` (skopeo's `docker-archive:FILE:@N`, counted from 0).
 */

export interface ArchiveImage {
  /** The manifest presented for this image. */
  readonly descriptor: Descriptor;
  /** RepoTags as written; empty when the archive has null. */
  readonly repoTags: readonly string[];
}

/** `@N`: the image at position N of manifest.json. */
const POSITION_PATTERN = /^@(\d{1,9})$/;

/** The image `query` names, undefined when none does. */
export function findImage(
  images: readonly ArchiveImage[],
  query: string,
  where: string,
  repository?: string,
): ArchiveImage | undefined {
  const position = POSITION_PATTERN.exec(query);
  if (position !== null) return images[Number(position[1])];

  const exact = images.find((image) => image.repoTags.includes(query));
  if (exact !== undefined) return exact;

  const plain = REGISTRY_TAG_PATTERN.test(query);
  const name = plain ? repository && `${repository}:${query}` : query;
  const full = name ? canonical(name) : undefined;
  if (full !== undefined) {
    const same = images.find((image) =>
      image.repoTags.some((t) => canonical(t) === full),
    );
    if (same !== undefined) return same;
  }
  return byTagPart(images, query, where);
}

/** Every name `findImage` answers, each once: the tag part where it is unambiguous. */
export function imageTags(images: readonly ArchiveImage[]): string[] {
  const names = new Set<string>();
  for (const image of images) {
    for (const repoTag of image.repoTags) {
      const part = tagPart(repoTag);
      const owners = part === undefined ? [] : imagesWithTag(images, part);
      names.add(owners.length === 1 ? part! : repoTag);
    }
  }
  return [...names];
}

/** The error for a name no image has, saying how this archive's images are named. */
export function noSuchImage(
  images: readonly ArchiveImage[],
  query: string,
  where: string,
): GantryError {
  const untagged = images.filter((image) => image.repoTags.length === 0).length;
  if (untagged === 0) return notFound(`image "${query}"`, where);
  return notFound(
    `image "${query}"`,
    where,
    `${untagged} of its ${images.length} images have no RepoTags: name one by ` +
      'digest or as @N (its position, from 0), and give the copy a tag',
  );
}

function byTagPart(
  images: readonly ArchiveImage[],
  tag: string,
  where: string,
): ArchiveImage | undefined {
  const owners = imagesWithTag(images, tag);
  if (owners.length <= 1) return owners[0];
  const names = owners.flatMap((image) =>
    image.repoTags.filter((t) => tagPart(t) === tag),
  );
  throw new GantryError(
    ErrorCode.Usage,
    `${where}: "${tag}" is the tag of ${owners.length} different images: ` +
      names.slice(0, 5).join(', '),
    { hint: 'give the full name:tag as written in RepoTags' },
  );
}

/** The images, each once by digest, that carry `tag` as a tag part. */
function imagesWithTag(images: readonly ArchiveImage[], tag: string): ArchiveImage[] {
  const owners = new Map<string, ArchiveImage>();
  for (const image of images) {
    if (image.repoTags.some((t) => tagPart(t) === tag)) {
      owners.set(image.descriptor.digest.toString(), image);
    }
  }
  return [...owners.values()];
}

function tagPart(repoTag: string): string | undefined {
  try {
    return parseReference(repoTag).tag;
  } catch {
    return undefined;
  }
}

function canonical(text: string): string | undefined {
  try {
    return parseReference(text).toString();
  } catch {
    return undefined;
  }
}
