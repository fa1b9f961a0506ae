import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { test } from 'node:test';
import { OverlayTarget } from '../../src/build/overlay.js';
import { copyImage } from '../../src/copy/copy.js';
import { createManifest } from '../../src/oci/create.js';
import type { Descriptor } from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';
import { describeManifest } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/mediatype.js';
import { MemoryTarget } from '../../src/store/memory.js';

// The overlay a build is pushed from serves a base's layer by streaming it
// from the base's own target (fetch, never fetchBytes: nothing is read
// whole), keeps no copy of it, and names that target to the copy (locate).

/** A memory target that records how each blob was read. */
class RecordingTarget extends MemoryTarget {
  readonly reads: string[] = [];

  override async fetch(descriptor: Descriptor): Promise<Readable> {
    this.reads.push(`fetch ${descriptor.digest}`);
    return super.fetch(descriptor);
  }

  override async fetchBytes(descriptor: Descriptor, limit?: number): Promise<Uint8Array> {
    this.reads.push(`fetchBytes ${descriptor.digest}`);
    return super.fetchBytes(descriptor, limit);
  }
}

function blob(bytes: Uint8Array, mediaType: string): Descriptor {
  return { mediaType, digest: Digest.of(bytes), size: bytes.byteLength };
}

test('base layers are streamed from the base target and never kept', async () => {
  const base = new RecordingTarget({ description: 'base' });
  const layerBytes = new Uint8Array(300_000).fill(7);
  const layer = blob(layerBytes, MediaType.OciLayerGzip);
  await base.push(layer, layerBytes);

  const staging = new MemoryTarget();
  const configBytes = new TextEncoder().encode('{"architecture":"amd64","os":"linux"}');
  const config = blob(configBytes, MediaType.OciConfig);
  await staging.push(config, configBytes);
  const manifest = createManifest({ config, layers: [layer] });
  await staging.push(describeManifest(manifest), manifest.bytes);

  const overlay = new OverlayTarget(staging);
  overlay.addBase(layer.digest, base);
  assert.equal(overlay.locate(layer), base);
  assert.equal(overlay.locate(config), undefined);

  const destination = new MemoryTarget();
  const result = await copyImage(overlay, `${manifest.digest}`, destination, ['1']);
  assert.equal(result.stats.uploaded, 2);
  assert.deepEqual(base.reads, [`fetch ${layer.digest}`]);
  assert.equal(await staging.exists(layer), false);
  assert.deepEqual(await destination.fetchBytes(layer, layerBytes.length), layerBytes);
});

test('a blob file removed before the push is NotFound, naming the file', async () => {
  const staging = new MemoryTarget();
  const overlay = new OverlayTarget(staging);
  const layer = blob(new Uint8Array([1, 2, 3]), MediaType.OciLayer);
  overlay.addFile(layer.digest, '/nonexistent/gantry-layer');
  await assert.rejects(overlay.fetch(layer), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'GANTRY_E_NOT_FOUND');
    assert.match(error.message, /\/nonexistent\/gantry-layer/);
    return true;
  });
});
