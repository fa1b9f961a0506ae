import { sided } from '../copy/errors.js';
import type { ErrorSide } from '../errors.js';
import { Digest } from '../oci/digest.js';
import { parseReference } from '../reference/index.js';
import { DOCKER_ARCHIVE_PREFIX } from '../store/open-target.js';
import { isLayoutReference, parseLayoutReference } from '../store/transport-reference.js';
import { usageError } from './options.js';

/**
 * How `gantry copy` names things: which image of the source it copies,
 * which tags the destination gets, which registries the credentials flags
 * are for. Pure rules over the references the user wrote.
 */

export function isRegistryReference(text: string): boolean {
  return !isLayoutReference(text) && !text.startsWith(DOCKER_ARCHIVE_PREFIX);
}

/**
 * The registries SRC and DST name: explicit credentials apply to them only.
 * A reference that does not parse is named as the source or destination.
 */
export function registriesOf(from: string, to: string): string[] {
  return [...registryOf(from, 'source'), ...registryOf(to, 'destination')];
}

function registryOf(text: string, side: ErrorSide): string[] {
  if (!isRegistryReference(text)) return [];
  try {
    return [parseReference(text).registry];
  } catch (error) {
    throw sided(error, side);
  }
}

/** With `--all-tags` both sides name a repository: no tag, no digest. */
export function checkRepositories(...texts: string[]): void {
  for (const text of texts) {
    if (namesRepository(text)) continue;
    throw usageError(
      `--all-tags copies a whole repository, but "${text}" names one image`,
      'drop the tag or digest, e.g. gantry copy --all-tags host/app mirror/app',
    );
  }
}

function namesRepository(text: string): boolean {
  if (text.startsWith(DOCKER_ARCHIVE_PREFIX)) return true;
  if (isLayoutReference(text)) {
    const ref = parseLayoutReference(text);
    return ref.tag === undefined && ref.digest === undefined;
  }
  const lastPart = text.slice(text.lastIndexOf('/') + 1);
  return !lastPart.includes(':') && !lastPart.includes('@');
}

/**
 * The tag the destination gets: its own, or else the source's tag, so that
 * `gantry copy host/app:1 oci:dir` is found in `dir` as `1`. A destination
 * named by digest gets no tag; its digest must be the source's, so it
 * cannot take a platform subset, whose digest is new.
 */
export function destinationTags(
  sourceRef: string,
  destinationRef: string | undefined,
  subset: boolean,
): string[] {
  if (destinationRef !== undefined && Digest.isValid(destinationRef)) {
    if (subset) {
      throw usageError(
        'a platform subset is a new index with a new digest',
        'name the destination by a tag, not by a digest',
      );
    }
    return [];
  }
  if (destinationRef !== undefined) return [destinationRef];
  if (Digest.isValid(sourceRef)) return [];
  // A docker archive's names are full references: keep the tag only.
  if (!/[/:]/.test(sourceRef)) return [sourceRef];
  return [parseReference(sourceRef).tag ?? sourceRef];
}

/**
 * A docker-save archive names its images in RepoTags by full reference
 * (`host/app:1`), as `docker load` reads them: the source's own, when the
 * source is a registry reference with a tag.
 */
export function dockerArchiveTags(
  from: string,
  sourceRef: string,
  destinationRef: string | undefined,
): string[] {
  if (destinationRef !== undefined) return [destinationRef];
  if (!Digest.isValid(sourceRef)) {
    if (/[/:]/.test(sourceRef)) return [sourceRef];
    if (isRegistryReference(from)) return [`${parseReference(from).name}:${sourceRef}`];
  }
  throw usageError(
    'a docker-save archive names its image by a full reference (host/repo:tag)',
    'copy from a registry reference with a tag: gantry copy host/app:1 docker-archive:F',
  );
}
