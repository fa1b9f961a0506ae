import { ErrorCode, GantryError, isGantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { type Manifest, parseManifest } from '../oci/manifest.js';
import { parseReference } from '../reference/index.js';
import type { RegistryClient } from '../registry/client.js';
import { defaultImage, describeChoices } from '../store/layout-default-image.js';
import { openTarget } from '../store/open-target.js';
import type { ReadTarget } from '../store/target.js';
import {
  formatLayoutReference,
  isLayoutReference,
  parseLayoutReference,
} from '../store/transport-reference.js';
import { isRegistryReference } from './copy-names.js';
import { usageError } from './options.js';

/**
 * Where `inspect` and `digest` read: any reference form openTarget knows
 * (`host/repo:tag`, `oci:PATH[:tag]`, `oci-archive:FILE[:tag]`,
 * `docker-archive:FILE`), opened read-only as a ReadTarget, so a registry
 * and a file are read by the same code.
 */

/** One manifest or index in a target, and how messages name it. */
export interface Location {
  target: ReadTarget;
  /** The tag or digest (`sha256:...`) in the target. */
  ref: string;
  /** The reference as shown: canonical for a registry, as typed for files. */
  shown: string;
  /** The same target's manifest of this digest: an index entry. */
  child(digest: Digest): Location;
}

/** The registries a reference names: explicit credentials apply to these only. */
export function registriesIn(text: string): string[] {
  return isRegistryReference(text) ? [parseReference(text).registry] : [];
}

/**
 * Opens `text` read-only, runs `body` on the manifest it names and closes
 * the target (an archive's staging files) whatever happens.
 */
export async function withLocation<T>(
  text: string,
  client: RegistryClient,
  body: (location: Location) => Promise<T>,
): Promise<T> {
  const opened = await openTarget(text, { client, readOnly: true });
  try {
    const ref = opened.ref ?? (await onlyImage(opened.target));
    return await body(locate(opened.target, ref, shownAs(text)));
  } finally {
    await opened.target.close?.();
  }
}

/** The descriptor the location names; NotFound names the reference as shown. */
export async function resolveLocation(location: Location): Promise<Descriptor> {
  try {
    return await location.target.resolve(location.ref);
  } catch (error) {
    if (!isGantryError(error, ErrorCode.NotFound)) throw error;
    throw new GantryError(ErrorCode.NotFound, `manifest ${location.shown} not found`, {
      hint: 'check the repository name and the tag or digest (gantry tags REPO)',
      cause: error,
    });
  }
}

/** The manifest or index of a descriptor: exact bytes, verified, parsed. */
export async function fetchManifest(
  target: ReadTarget,
  descriptor: Descriptor,
  where: string,
): Promise<Manifest> {
  const bytes = await target.fetchBytes(descriptor);
  return parseManifest(bytes, {
    descriptorMediaType: descriptor.mediaType,
    expectedDigest: descriptor.digest,
    where,
  });
}

function locate(
  target: ReadTarget,
  ref: string,
  shown: (digest?: Digest) => string,
): Location {
  return {
    target,
    ref,
    shown: shown(),
    child: (digest) => locate(target, digest.toString(), () => shown(digest)),
  };
}

/**
 * How a reference and its index entries are named, as a registry reference
 * names an entry: the reference with `@digest` added (the tag kept).
 */
function shownAs(text: string): (digest?: Digest) => string {
  if (isLayoutReference(text)) {
    const parsed = parseLayoutReference(text);
    return (digest) =>
      digest === undefined ? text : formatLayoutReference({ ...parsed, digest });
  }
  if (!isRegistryReference(text)) {
    return (digest) => (digest === undefined ? text : `${text}@${digest}`);
  }
  const reference = parseReference(text);
  return (digest) =>
    (digest === undefined ? reference : reference.withDigest(digest)).toString();
}

/**
 * A layout, an OCI archive or a docker archive named without a tag: its
 * only image, else its `latest`, as skopeo reads `oci:PATH` (BuildKit's
 * archives name none).
 */
async function onlyImage(target: ReadTarget): Promise<string> {
  const { image, choices } = await defaultImage(target);
  if (image !== undefined) return image;
  throw usageError(
    `${target.description}: name the image to read (${describeChoices(choices)})`,
    'add a tag or a digest, e.g. oci:PATH:TAG or oci:PATH@sha256:...',
  );
}
