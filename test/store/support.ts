import type { Readable } from 'node:stream';
import { after } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createIndex, createManifest } from '../../src/oci/create.js';
import {
  type Descriptor,
  EMPTY_DESCRIPTOR,
  EMPTY_JSON_BYTES,
} from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';
import type { ImageIndex, ImageManifest } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/mediatype.js';
import type { WriteTarget } from '../../src/store/target.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * Test content for the store tests: small images built with gantry's own
 * deterministic builders, each a distinct digest per `seed`, plus temp
 * folders removed when the test file ends.
 */

export const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

export function blob(bytes: Uint8Array, mediaType: string): Descriptor {
  return { mediaType, digest: Digest.of(bytes), size: bytes.byteLength };
}

export interface Image {
  config: { descriptor: Descriptor; bytes: Uint8Array };
  layer: { descriptor: Descriptor; bytes: Uint8Array };
  manifest: ImageManifest;
  descriptor: Descriptor;
}

/** A one-layer image whose bytes depend on `seed`. */
export function makeImage(seed: string): Image {
  const configBytes = encode(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
      config: { Labels: { seed } },
    }),
  );
  // Really gzip (skopeo looks at the bytes, and would compress them).
  const layerBytes = new Uint8Array(gzipSync(encode(`layer of ${seed}`)));
  const config = blob(configBytes, MediaType.OciConfig);
  const layer = blob(layerBytes, MediaType.OciLayerGzip);
  const manifest = createManifest({ config, layers: [layer] });
  return {
    config: { descriptor: config, bytes: configBytes },
    layer: { descriptor: layer, bytes: layerBytes },
    manifest,
    descriptor: blob(manifest.bytes, manifest.mediaType),
  };
}

/** An artifact manifest (empty config) whose subject is `subject`. */
export function makeReferrer(
  subject: Descriptor,
  artifactType: string,
  seed: string,
): ImageManifest {
  const layer = blob(encode(seed), 'application/vnd.example.data');
  return createManifest({
    config: EMPTY_DESCRIPTOR,
    layers: [layer],
    subject,
    artifactType,
    annotations: { 'org.example.seed': seed },
  });
}

export function makeIndex(manifests: readonly Descriptor[]): ImageIndex {
  return createIndex({ manifests });
}

/** Pushes an image's blobs, then its manifest (children first). */
export async function pushImage(target: WriteTarget, image: Image): Promise<void> {
  await target.push(image.config.descriptor, image.config.bytes);
  await target.push(image.layer.descriptor, image.layer.bytes);
  await target.push(image.descriptor, image.manifest.bytes);
}

/** Pushes an artifact: the empty config, its data layer, the manifest. */
export async function pushReferrer(
  target: WriteTarget,
  manifest: ImageManifest,
  seed: string,
): Promise<Descriptor> {
  await target.push(EMPTY_DESCRIPTOR, EMPTY_JSON_BYTES);
  await target.push(manifest.layers[0]!, encode(seed));
  const descriptor = blob(manifest.bytes, manifest.mediaType);
  await target.push(descriptor, manifest.bytes);
  return descriptor;
}

export async function readAll(stream: Readable): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(parts));
}

/** A fresh temp folder, removed after the test, or when the run is interrupted. */
export async function tempDir(prefix = 'gantry-store-test-'): Promise<string> {
  const dir = makeTempDir(prefix);
  after(() => removeTempDir(dir));
  return dir;
}
