import { ErrorCode, GantryError } from '../errors.js';
import { parseReference } from '../reference/parse.js';
import type { RegistryClient } from '../registry/client.js';
import { parseDockerArchiveReference } from './docker-archive-reference.js';
import { RegistryTarget } from './registry-target.js';
import type { WriteTarget } from './target.js';
import { isLayoutReference, parseLayoutReference } from './transport-reference.js';

/**
 * Opens the target a reference names, in every form DESIGN.md lists:
 * `host/repo:tag`, `host/repo@sha256:...`, `oci:PATH[:tag]`,
 * `oci-archive:FILE[:tag]` (either with `@sha256:...` instead of a tag) and
 * `docker-archive:FILE[:name:tag]` (docker-archive-reference.ts). A registry
 * reference without tag or digest gets Docker's default tag `latest`; a
 * layout or archive reference without one has no `ref`, nor has a docker
 * archive without a name (the caller picks its image).
 */

export interface OpenTargetOptions {
  client: RegistryClient;
  /** Create a layout folder or an archive that does not exist yet. */
  create?: boolean;
  /** Refuse writes to layouts and archives (an input that must not change). */
  readOnly?: boolean;
}

export interface OpenedTarget {
  target: WriteTarget;
  /** The tag or digest (`sha256:...`) the reference names, if any. */
  ref: string | undefined;
}

export const DOCKER_ARCHIVE_PREFIX = 'docker-archive:';

export async function openTarget(
  text: string,
  options: OpenTargetOptions,
): Promise<OpenedTarget> {
  const flags = { create: options.create === true, readOnly: options.readOnly === true };
  if (text.startsWith(DOCKER_ARCHIVE_PREFIX)) {
    const named = parseDockerArchiveReference(text.slice(DOCKER_ARCHIVE_PREFIX.length));
    if (named.path === '') throw emptyPath(text);
    // Layouts and archives load when named: a registry copy needs none of it.
    const { DockerArchiveTarget } = await import('./docker-archive.js');
    return { target: await DockerArchiveTarget.open(named.path, flags), ref: named.ref };
  }

  if (isLayoutReference(text)) {
    const parsed = parseLayoutReference(text);
    const target =
      parsed.transport === 'oci'
        ? await (await import('./oci-layout.js')).OciLayoutTarget.open(parsed.path, flags)
        : await (await import('./oci-archive.js')).OciArchiveTarget.open(
            parsed.path,
            flags,
          );
    return { target, ref: parsed.digest?.toString() ?? parsed.tag };
  }

  const reference = parseReference(text);
  const target = new RegistryTarget(options.client, reference);
  return { target, ref: reference.digest?.toString() ?? reference.tag };
}

function emptyPath(text: string): GantryError {
  return new GantryError(ErrorCode.InvalidReference, `${text}: the file name is empty`, {
    hint: 'write docker-archive:FILE, e.g. docker-archive:image.tar',
  });
}
