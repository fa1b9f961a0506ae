import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Digest } from '../../src/oci/digest.js';
import { parseReference } from '../../src/reference/index.js';
import type { Reference } from '../../src/reference/reference.js';
import type { RegistryClient } from '../../src/registry/client.js';
import { fileSource, type LayerFile, writeRandomLayer } from './layers.js';

/**
 * The benchmark's images, shaped like a release: an OCI index with one
 * image per platform, each with its own layers of random content, and one
 * BuildKit-style attestation manifest per image (in-toto statement layer,
 * `vnd.docker.reference.*` annotations). Pushed children first, the index
 * under its tag last. Layer files are removed once pushed.
 */

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const IN_TOTO = 'application/vnd.in-toto+json';

export const MiB = 1024 * 1024;

export interface ImageShape {
  /** `os/arch[/variant]` of each image in the index. */
  platforms: string[];
  /** Random content bytes of each layer, the same list for every platform. */
  layerSizes: number[];
}

export interface BuiltImage {
  reference: string;
  digest: string;
  /** Every blob and manifest, in bytes. */
  totalBytes: number;
  layerCount: number;
}

interface Pushed {
  mediaType: string;
  digest: string;
  size: number;
}

/** Builds `shape` and pushes it to `text` (`host/repo:tag`), using `dir` for layers. */
export async function pushImage(
  client: RegistryClient,
  text: string,
  shape: ImageShape,
  dir: string,
): Promise<BuiltImage> {
  const ref = parseReference(text);
  const entries: Record<string, unknown>[] = [];
  const attestations: Record<string, unknown>[] = [];
  let totalBytes = 0;

  for (const platform of shape.platforms) {
    const image = await pushPlatform(client, ref, platform, shape.layerSizes, dir);
    totalBytes += image.bytes;
    entries.push({ ...image.manifest, platform: platformJson(platform) });
    const attestation = await pushAttestation(client, ref, image.manifest.digest);
    totalBytes += attestation.bytes;
    attestations.push(attestation.entry);
  }

  const index = json({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [...entries, ...attestations],
  });
  const digest = await client.putManifest(ref, { bytes: index, mediaType: OCI_INDEX });
  return {
    reference: text,
    digest: digest.toString(),
    totalBytes: totalBytes + index.length,
    layerCount: shape.platforms.length * shape.layerSizes.length,
  };
}

async function pushPlatform(
  client: RegistryClient,
  ref: Reference,
  platform: string,
  layerSizes: number[],
  dir: string,
): Promise<{ manifest: Pushed; bytes: number }> {
  const layers: LayerFile[] = [];
  for (const [i, size] of layerSizes.entries()) {
    const file = join(dir, `layer-${randomBytes(6).toString('hex')}.tar.gz`);
    const layer = await writeRandomLayer(file, `usr/share/bench/${i}.bin`, size);
    const descriptor = { digest: Digest.parse(layer.digest), size: layer.size };
    await client.uploadBlob(ref, descriptor, fileSource(file));
    await rm(file);
    layers.push(layer);
  }

  const config = await pushJsonBlob(client, ref, OCI_CONFIG, {
    ...platformJson(platform),
    config: { Entrypoint: ['/usr/bin/bench'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
  });
  const layerDescriptors = layers.map((l) => ({
    mediaType: OCI_LAYER_GZIP,
    digest: l.digest,
    size: l.size,
  }));
  const manifest = await pushManifest(client, ref, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config,
    layers: layerDescriptors,
  });
  const layerBytes = layers.reduce((sum, l) => sum + l.size, 0);
  return { manifest, bytes: layerBytes + config.size + manifest.size };
}

async function pushAttestation(
  client: RegistryClient,
  ref: Reference,
  subject: string,
): Promise<{ entry: Record<string, unknown>; bytes: number }> {
  const statement = await pushJsonBlob(client, ref, IN_TOTO, {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject: [{ name: ref.repository, digest: { sha256: subject.slice(7) } }],
    predicate: { buildType: 'https://gantry.bench/copy', nonce: randomHex() },
  });
  const config = await pushJsonBlob(client, ref, OCI_CONFIG, {
    architecture: 'unknown',
    os: 'unknown',
    config: {},
    rootfs: { type: 'layers', diff_ids: [statement.digest] },
  });
  const manifest = await pushManifest(client, ref, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config,
    layers: [
      {
        ...statement,
        annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
      },
    ],
  });
  const entry = {
    ...manifest,
    annotations: {
      'vnd.docker.reference.digest': subject,
      'vnd.docker.reference.type': 'attestation-manifest',
    },
    platform: { architecture: 'unknown', os: 'unknown' },
  };
  return { entry, bytes: statement.size + config.size + manifest.size };
}

async function pushJsonBlob(
  client: RegistryClient,
  ref: Reference,
  mediaType: string,
  value: unknown,
): Promise<Pushed> {
  const bytes = json(value);
  const digest = Digest.of(bytes);
  await client.uploadBlob(ref, { digest, size: bytes.length }, bytes);
  return { mediaType, digest: digest.toString(), size: bytes.length };
}

async function pushManifest(
  client: RegistryClient,
  ref: Reference,
  value: unknown,
): Promise<Pushed> {
  const bytes = json(value);
  const digest = Digest.of(bytes);
  const at = ref.withoutTag().withDigest(digest);
  await client.putManifest(at, { bytes, mediaType: OCI_MANIFEST });
  return { mediaType: OCI_MANIFEST, digest: digest.toString(), size: bytes.length };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function randomHex(): string {
  return randomBytes(8).toString('hex');
}

function platformJson(text: string): Record<string, string> {
  const [os, architecture, variant] = text.split('/');
  return { architecture: architecture!, os: os!, ...(variant ? { variant } : {}) };
}
