import { ErrorCode, GantryError } from '../errors.js';
import { type ImageConfig, parseImageConfig } from '../oci/config.js';
import type { Descriptor } from '../oci/descriptor.js';
import {
  type ImageManifest,
  MAX_MANIFEST_BYTES,
  type Manifest,
  parseManifest,
} from '../oci/manifest.js';
import { familyOf, MediaType, type MediaTypeFamily } from '../oci/mediatype.js';
import { normalizePlatform, type Platform, platformToString } from '../oci/platform.js';
import { platformMatches, requirePlatform } from '../oci/platform-match.js';
import type { RegistryClient } from '../registry/client.js';
import { defaultImage, describeChoices } from '../store/layout-default-image.js';
import { MemoryTarget } from '../store/memory.js';
import { openTarget } from '../store/open-target.js';
import type { ReadTarget } from '../store/target.js';
import { encodeConfig } from './config-json.js';
import { writeManifest } from './image-manifest.js';

/**
 * Base images. Only a base's manifest (picked for the platform from an
 * index) and its config are read, never a layer: the layers stay where the
 * base is and are copied from there, or mounted, when the image is pushed.
 */

/** The word that names the empty base, as in a Dockerfile's `FROM scratch`. */
export const SCRATCH = 'scratch';

export interface ResolvedBase {
  manifest: ImageManifest;
  config: ImageConfig;
  /** Where the base's blobs are read from (a MemoryTarget for scratch). */
  source: ReadTarget;
  /** As given. */
  ref: string;
  /** The family of the base's manifest, which new layers follow (BR-08). */
  family: MediaTypeFamily;
}

/**
 * A base image's reference opened and its top manifest (an index, or one
 * image manifest) read: what every platform built on it starts from.
 */
export interface OpenedBase {
  ref: string;
  source: ReadTarget;
  top: Manifest;
}

/**
 * Base reads shared by the builds of one call (one `gantry build`, one
 * release): each base reference is resolved and its top manifest read once,
 * and each platform's manifest and config once, however many images and
 * platforms start from it. Promises are kept, not values, so builds that
 * run at once wait on the same reads. Layers are never read here.
 */
export class BaseCache {
  readonly #opened = new Map<string, Promise<OpenedBase>>();
  readonly #resolved = new Map<string, Promise<ResolvedBase>>();

  resolve(
    ref: string,
    platform: Platform,
    client: RegistryClient,
  ): Promise<ResolvedBase> {
    if (ref === SCRATCH) return Promise.resolve(scratchBase(platform));
    const key = `${ref} ${platformToString(normalizePlatform(platform))}`;
    let base = this.#resolved.get(key);
    if (base === undefined) {
      base = this.#open(ref, client).then((opened) => platformBase(opened, platform));
      this.#resolved.set(key, base);
    }
    return base;
  }

  #open(ref: string, client: RegistryClient): Promise<OpenedBase> {
    let opened = this.#opened.get(ref);
    if (opened === undefined) {
      opened = openBase(ref, client);
      // Each platform's promise reports a failure; this one only feeds them.
      opened.catch(() => undefined);
      this.#opened.set(ref, opened);
    }
    return opened;
  }
}

/** One platform of a base; `cache` shares the reads with other builds. */
export async function resolveBase(
  ref: string,
  platform: Platform,
  options: { client: RegistryClient; cache?: BaseCache },
): Promise<ResolvedBase> {
  const cache = options.cache ?? new BaseCache();
  return cache.resolve(ref, platform, options.client);
}

/**
 * Resolves a base reference and reads its top manifest. A registry reference
 * without a tag means `latest`; a layout or archive without one means its
 * only image, or else its `latest` (layout-default-image.ts).
 */
export async function openBase(ref: string, client: RegistryClient): Promise<OpenedBase> {
  const opened = await openTarget(ref, { client, readOnly: true });
  const source = opened.target;
  const where = baseWhere(ref);
  const image = opened.ref ?? (await sourceStep(where, () => unnamedBase(source)));
  const descriptor = await sourceStep(where, () => source.resolve(image));
  const top = await readManifest(source, descriptor, where);
  return { ref, source, top };
}

/** The platform's manifest of an opened base and its config, checked. */
async function platformBase(
  opened: OpenedBase,
  platform: Platform,
): Promise<ResolvedBase> {
  const { ref, source } = opened;
  const where = baseWhere(ref);
  const manifest = await pickManifest(source, opened.top, platform, where);

  const bytes = await sourceStep(where, () => source.fetchBytes(manifest.config));
  const config = parseImageConfig(bytes, {
    expectedDigest: manifest.config.digest,
    where: `${where} config`,
  });
  if (!platformMatches(platform, config.platform)) {
    throw new GantryError(
      ErrorCode.PlatformNotFound,
      `${where}: config is for ${platformToString(config.platform)}, ` +
        `not ${platformToString(platform)}`,
      { hint: 'pick a base image published for the platform being built' },
    );
  }
  const family = familyOf(manifest.mediaType) ?? 'oci';
  return { manifest, config, source, ref, family };
}

async function unnamedBase(source: ReadTarget): Promise<string> {
  const { image, choices } = await defaultImage(source);
  if (image !== undefined) return image;
  throw new GantryError(
    ErrorCode.NotFound,
    `no image named, ${describeChoices(choices)} and none is tagged latest`,
    {
      hint: 'name the image after the path, e.g. oci-archive:FILE:TAG or FILE@sha256:...',
    },
  );
}

function baseWhere(ref: string): string {
  return `base image ${ref}`;
}

/** scratch: no layers, an OCI config naming only the platform. */
export function scratchBase(platform: Platform): ResolvedBase {
  const bytes = encodeConfig({
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.osVersion === undefined ? {} : { 'os.version': platform.osVersion }),
    ...(platform.osFeatures === undefined ? {} : { 'os.features': platform.osFeatures }),
    ...(platform.variant === undefined ? {} : { variant: platform.variant }),
    config: {},
    rootfs: { type: 'layers', diff_ids: [] },
  });
  const config = parseImageConfig(bytes, { where: 'scratch config' });
  const descriptor = {
    mediaType: MediaType.OciConfig,
    digest: config.digest,
    size: config.size,
  };
  const manifest = writeManifest(MediaType.OciManifest, descriptor, []);
  const source = new MemoryTarget({ description: SCRATCH });
  return { manifest, config, source, ref: SCRATCH, family: 'oci' };
}

async function pickManifest(
  source: ReadTarget,
  manifest: Manifest,
  platform: Platform,
  where: string,
): Promise<ImageManifest> {
  if (manifest.kind === 'manifest') return manifest;

  const entry = requirePlatform(platform, manifest.manifests, where);
  const child = await readManifest(source, entry, where);
  if (child.kind !== 'manifest') {
    throw new GantryError(
      ErrorCode.InvalidManifest,
      `${where}: index entry for ${platformToString(platform)} is another index`,
      { hint: 'use a base whose index lists image manifests' },
    );
  }
  return child;
}

async function readManifest(
  source: ReadTarget,
  descriptor: Descriptor,
  where: string,
): Promise<Manifest> {
  const bytes = await sourceStep(where, () =>
    source.fetchBytes(descriptor, MAX_MANIFEST_BYTES),
  );
  return parseManifest(bytes, {
    expectedDigest: descriptor.digest,
    descriptorMediaType: descriptor.mediaType,
    where: `${where} manifest ${descriptor.digest}`,
  });
}

/** Runs a read of the base, naming the base in a failure. */
async function sourceStep<T>(where: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof GantryError) {
      throw new GantryError(error.code, `${where}: ${error.message}`, {
        ...(error.hint === undefined ? {} : { hint: error.hint }),
        cause: error,
        side: 'source',
        details: error.details,
      });
    }
    throw error;
  }
}
