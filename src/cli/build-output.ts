import type { BuildResult } from '../build/build-image.js';
import { pushBuild } from '../build/build-image.js';
import { type CopyResult, copyImage } from '../copy/index.js';
import { describeManifest } from '../oci/manifest.js';
import { platformToString } from '../oci/platform.js';
import { parseReference, parseRepository } from '../reference/index.js';
import type { RegistryClient } from '../registry/client.js';
import { parseDockerArchiveReference } from '../store/docker-archive-reference.js';
import { DOCKER_ARCHIVE_PREFIX, openTarget } from '../store/open-target.js';
import { isLayoutReference, parseLayoutReference } from '../store/transport-reference.js';
import { usageError } from './options.js';

/**
 * Where `gantry build` writes its result, and under which tags. Without
 * `--output`, `--tag` values are full references pushed to their
 * registries; without either, the result goes to DEFAULT_OUTPUT.
 */

/**
 * An OCI layout in the working folder: something every tool reads
 * (skopeo, umoci, `docker buildx imagetools`), and nothing is pushed
 * anywhere unless asked.
 */
export const DEFAULT_OUTPUT = 'oci:gantry-out';
/** The tag of a layout or registry output when no tag is named. */
export const DEFAULT_TAG = 'latest';

export interface Destination {
  /** As the user would type it. */
  reference: string;
  tags: string[];
}

export function destinations(output: string | undefined, tags: string[]): Destination[] {
  if (output === undefined && tags.length > 0) return byRepository(tags);
  const reference = output ?? DEFAULT_OUTPUT;
  // A path (or a file name an archive would have), not an image reference.
  const transport = /^(oci|oci-archive|docker-archive):/.test(reference);
  const archiveName = /\.(tar|tgz|tar\.gz)$/.test(reference);
  if (!transport && (/^(\.{0,2}\/|~|\.{1,2}$)/.test(reference) || archiveName)) {
    throw usageError(
      `--output ${reference}: a path needs the form to write there`,
      `write oci:${reference} (a layout folder), oci-archive:${reference} or ` +
        `docker-archive:${reference}`,
    );
  }
  if (reference.startsWith(DOCKER_ARCHIVE_PREFIX)) {
    // `docker-archive:FILE:NAME:TAG` names the image as `--tag NAME:TAG` does.
    const named = parseDockerArchiveReference(
      reference.slice(DOCKER_ARCHIVE_PREFIX.length),
    );
    const all =
      named.ref === undefined || named.ref.startsWith('@') ? tags : [named.ref, ...tags];
    if (all.length === 0 || all.some((tag) => !tag.includes('/') && !tag.includes(':'))) {
      throw usageError(
        'a docker-save archive names its image by full references',
        'write docker-archive:FILE:NAME:TAG, or add --tag host/repo:tag',
      );
    }
    return [{ reference: `${DOCKER_ARCHIVE_PREFIX}${named.path}`, tags: all }];
  }
  for (const tag of tags) {
    if (/[@/:]/.test(tag)) {
      throw usageError(
        `--tag "${tag}" with --output must be a bare tag`,
        'e.g. --tag 1.4.2',
      );
    }
  }
  const named = namedTag(reference);
  const all = [...(named === undefined ? [] : [named]), ...tags];
  return [{ reference, tags: all.length === 0 ? [DEFAULT_TAG] : all }];
}

function namedTag(reference: string): string | undefined {
  if (isLayoutReference(reference)) return parseLayoutReference(reference).tag;
  const ref = parseReference(reference);
  return ref.digest === undefined ? ref.tag : undefined;
}

/** Full references grouped by repository, in the order first named. */
function byRepository(tags: string[]): Destination[] {
  const groups = new Map<string, string[]>();
  for (const text of tags) {
    const ref = parseReference(text);
    if (ref.digest !== undefined || ref.tag === undefined) {
      throw usageError(`--tag "${text}" needs a tag`, 'write --tag host/repo:tag');
    }
    groups.set(ref.name, [...(groups.get(ref.name) ?? []), ref.tag]);
  }
  return [...groups].map(([name, list]) => ({ reference: name, tags: list }));
}

/** Writes the build to one destination; closes it (archives are written then). */
export async function writeBuild(
  result: BuildResult,
  destination: Destination,
  client: RegistryClient,
): Promise<CopyResult> {
  if (
    destination.reference.startsWith(DOCKER_ARCHIVE_PREFIX) &&
    result.index !== undefined
  ) {
    throw usageError(
      'a docker-save archive holds one platform image, and several platforms were built',
      'build one --platform for docker-archive:, or write oci-archive:FILE',
    );
  }
  const opened = await openTarget(destination.reference, { client, create: true });
  try {
    const copied = await pushBuild(result, opened.target, destination.tags);
    await opened.target.close?.();
    return copied;
  } catch (error) {
    if (opened.target.kind !== 'oci-archive' && opened.target.kind !== 'docker-archive') {
      await opened.target.close?.().catch(() => undefined);
    }
    throw error;
  }
}

export interface DigestRecord {
  platform: string;
  digest: string;
  repository: string;
  mediaType: string;
  size: number;
}

/** `--push-by-digest REPO`: each platform's image, by digest, no tag. */
export async function pushByDigest(
  result: BuildResult,
  repository: string,
  client: RegistryClient,
): Promise<DigestRecord[]> {
  const ref = parseRepository(repository);
  const opened = await openTarget(ref.name, { client });
  const records: DigestRecord[] = [];
  for (const built of result.manifests) {
    const descriptor = describeManifest(built.manifest);
    const digest = `${descriptor.digest}`;
    await copyImage(result.staging, digest, opened.target, [], { referrers: false });
    records.push({
      platform: platformToString(built.platform),
      digest,
      repository: ref.name,
      mediaType: descriptor.mediaType,
      size: descriptor.size,
    });
  }
  return records;
}
