import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Digest } from '../../src/oci/digest.js';
import type { Reference } from '../../src/reference/reference.js';
import type { RegistryClient } from '../../src/registry/client.js';

/**
 * Small random but valid images, pushed to a registry for the CLI and
 * registry tests. The JSON is written here by hand, independently of
 * gantry's own builders, so a test can check gantry against it.
 * Order: blobs, then manifests, then the index under the tag.
 */

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const IN_TOTO = 'application/vnd.in-toto+json';

/** A layer big enough to be a real blob, small enough to push fast. */
const DEFAULT_LAYER_SIZE = 1024;

export interface SeedOptions {
  /** `os/arch[/variant]`; default linux/amd64 and linux/arm64. */
  platforms?: string[];
  /** One BuildKit-style attestation manifest per platform. */
  attestations?: boolean;
  /** Layers per platform image (default 1). */
  layers?: number;
  /** Bytes of random file content in each layer. */
  layerSize?: number;
  /** Index annotations. */
  annotations?: Record<string, string>;
}

export interface SeededManifest {
  platform: string;
  digest: string;
  bytes: Buffer;
  configDigest: string;
  layerDigests: string[];
}

export interface SeededImage {
  /** The index digest and exact bytes. */
  digest: string;
  bytes: Buffer;
  mediaType: string;
  manifests: SeededManifest[];
  attestations: { digest: string; for: string }[];
  /** Every blob pushed, config and layers. */
  blobs: string[];
}

interface Blob {
  digest: string;
  size: number;
  bytes: Buffer;
}

function blob(bytes: Buffer): Blob {
  return { digest: Digest.of(bytes).toString(), size: bytes.length, bytes };
}

/** A one-file ustar archive (POSIX.1-1988 header, two zero blocks at the end). */
export function tarOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

function platformJson(text: string): Record<string, string> {
  const [os, architecture, variant] = text.split('/');
  return { architecture: architecture!, os: os!, ...(variant ? { variant } : {}) };
}

async function pushBlob(client: RegistryClient, repo: Reference, b: Blob): Promise<void> {
  await client.uploadBlob(
    repo,
    { digest: Digest.parse(b.digest), size: b.size },
    b.bytes,
  );
}

async function pushManifest(
  client: RegistryClient,
  at: Reference,
  bytes: Buffer,
  mediaType: string,
): Promise<string> {
  return (await client.putManifest(at, { bytes, mediaType })).toString();
}

/** One platform image: random layers, a config with their diff IDs, the manifest. */
async function seedPlatform(
  client: RegistryClient,
  repo: Reference,
  platform: string,
  options: { layers: number; layerSize: number; docker: boolean },
): Promise<SeededManifest & { blobs: string[] }> {
  const layers: Blob[] = [];
  const diffIds: string[] = [];
  for (let i = 0; i < options.layers; i++) {
    const tar = tarOneFile(`file-${i}.bin`, randomBytes(options.layerSize));
    diffIds.push(Digest.of(tar).toString());
    layers.push(blob(gzipSync(tar)));
  }
  const config = blob(
    Buffer.from(
      JSON.stringify({
        ...platformJson(platform),
        config: {},
        rootfs: { type: 'layers', diff_ids: diffIds },
      }),
    ),
  );
  for (const b of [...layers, config]) await pushBlob(client, repo, b);

  const types = options.docker
    ? { manifest: DOCKER_MANIFEST, config: DOCKER_CONFIG, layer: DOCKER_LAYER_GZIP }
    : { manifest: OCI_MANIFEST, config: OCI_CONFIG, layer: OCI_LAYER_GZIP };
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: types.manifest,
      config: { mediaType: types.config, digest: config.digest, size: config.size },
      layers: layers.map((l) => ({
        mediaType: types.layer,
        digest: l.digest,
        size: l.size,
      })),
    }),
  );
  const digest = Digest.of(bytes).toString();
  await pushManifest(
    client,
    repo.withoutTag().withDigest(Digest.parse(digest)),
    bytes,
    types.manifest,
  );
  return {
    platform,
    digest,
    bytes,
    configDigest: config.digest,
    layerDigests: layers.map((l) => l.digest),
    blobs: [...layers, config].map((b) => b.digest),
  };
}

/** BuildKit's attestation manifest: one in-toto layer, an empty-ish config. */
async function seedAttestation(
  client: RegistryClient,
  repo: Reference,
  described: string,
): Promise<{ descriptor: Record<string, unknown>; blobs: string[] }> {
  const statement = blob(
    Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v0.1',
        predicateType: 'https://slsa.dev/provenance/v0.2',
        subject: [],
        predicate: {
          buildType: 'https://gantry.test/seed',
          nonce: randomBytes(8).toString('hex'),
        },
      }),
    ),
  );
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: 'unknown',
        os: 'unknown',
        config: {},
        rootfs: { type: 'layers', diff_ids: [statement.digest] },
      }),
    ),
  );
  for (const b of [statement, config]) await pushBlob(client, repo, b);

  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
      layers: [
        {
          mediaType: IN_TOTO,
          digest: statement.digest,
          size: statement.size,
          annotations: {
            'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2',
          },
        },
      ],
    }),
  );
  const digest = await pushManifest(
    client,
    repo.withoutTag().withDigest(Digest.of(bytes)),
    bytes,
    OCI_MANIFEST,
  );
  return {
    descriptor: {
      mediaType: OCI_MANIFEST,
      digest,
      size: bytes.length,
      annotations: {
        'vnd.docker.reference.digest': described,
        'vnd.docker.reference.type': 'attestation-manifest',
      },
      platform: { architecture: 'unknown', os: 'unknown' },
    },
    blobs: [statement.digest, config.digest],
  };
}

/**
 * Seeds a multi-platform OCI index under `ref`'s tag: per platform an image
 * and (with `attestations`) its attestation manifest, entries in BuildKit's
 * order (all images first, then the attestations).
 */
export async function seedImage(
  client: RegistryClient,
  ref: Reference,
  options: SeedOptions = {},
): Promise<SeededImage> {
  const platforms = options.platforms ?? ['linux/amd64', 'linux/arm64'];
  const shape = {
    layers: options.layers ?? 1,
    layerSize: options.layerSize ?? DEFAULT_LAYER_SIZE,
    docker: false,
  };
  const manifests: SeededManifest[] = [];
  const blobs: string[] = [];
  const entries: Record<string, unknown>[] = [];
  for (const platform of platforms) {
    const seeded = await seedPlatform(client, ref, platform, shape);
    manifests.push(seeded);
    blobs.push(...seeded.blobs);
    entries.push({
      mediaType: OCI_MANIFEST,
      digest: seeded.digest,
      size: seeded.bytes.length,
      platform: platformJson(platform),
    });
  }

  const attestations: { digest: string; for: string }[] = [];
  for (const image of options.attestations ? manifests : []) {
    const { descriptor, blobs: more } = await seedAttestation(client, ref, image.digest);
    entries.push(descriptor);
    blobs.push(...more);
    attestations.push({ digest: String(descriptor.digest), for: image.digest });
  }

  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: entries,
      ...(options.annotations ? { annotations: options.annotations } : {}),
    }),
  );
  const digest = await pushManifest(client, ref, bytes, OCI_INDEX);
  return { digest, bytes, mediaType: OCI_INDEX, manifests, attestations, blobs };
}

/** Seeds one Docker schema 2 image manifest (no index) under `ref`'s tag. */
export async function seedDockerImage(
  client: RegistryClient,
  ref: Reference,
  options: { platform?: string; layers?: number; layerSize?: number } = {},
): Promise<SeededManifest & { blobs: string[] }> {
  const seeded = await seedPlatform(client, ref, options.platform ?? 'linux/amd64', {
    layers: options.layers ?? 1,
    layerSize: options.layerSize ?? DEFAULT_LAYER_SIZE,
    docker: true,
  });
  await pushManifest(client, ref, seeded.bytes, DOCKER_MANIFEST);
  return seeded;
}
