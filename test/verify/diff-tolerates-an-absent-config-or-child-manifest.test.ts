import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { createIndex, createManifest } from '../../src/oci/create.js';
import type { Descriptor } from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';
import { MediaType } from '../../src/oci/mediatype.js';
import { MemoryTarget } from '../../src/store/memory.js';
import { diffImages, diffIsEmpty } from '../../src/verify/diff.js';

/**
 * diffImages on images whose config or child manifest is absent from a
 * side: the absent piece is listed with its side, platform and kind; what
 * can still be read is compared (manifests without their config compare
 * layers, never labels against nothing); a root that is absent still fails.
 */

const NO_CHANGE = { added: {}, removed: {}, changed: {} };

function blob(text: string, mediaType: string): { bytes: Uint8Array; d: Descriptor } {
  const bytes = new TextEncoder().encode(text);
  return { bytes, d: { mediaType, digest: Digest.of(bytes), size: bytes.byteLength } };
}

/** One image: a labelled config and one layer, pushed except what `skip` names. */
async function image(
  target: MemoryTarget,
  architecture: string,
  layerText: string,
  skip: { config?: boolean; manifest?: boolean } = {},
) {
  const config = blob(
    JSON.stringify({
      architecture,
      os: 'linux',
      config: { Labels: { team: 'gantry' } },
      rootfs: { type: 'layers', diff_ids: [] },
    }),
    MediaType.OciConfig,
  );
  const layer = blob(layerText, MediaType.OciLayerGzip);
  const manifest = createManifest({ config: config.d, layers: [layer.d] });
  const descriptor: Descriptor = {
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: manifest.size,
    platform: { os: 'linux', architecture },
  };
  if (skip.config !== true) await target.push(config.d, config.bytes);
  await target.push(layer.d, layer.bytes);
  if (skip.manifest !== true) await target.push(descriptor, manifest.bytes);
  return { descriptor, config: config.d.digest.toString() };
}

async function index(target: MemoryTarget, children: Descriptor[]) {
  const root = createIndex({ manifests: children });
  const descriptor = { mediaType: root.mediaType, digest: root.digest, size: root.size };
  await target.push(descriptor, root.bytes);
  return descriptor;
}

describe('diffImages with an absent piece', () => {
  it('a lone image without config: missing, layers compared, labels not', async () => {
    const [a, b] = [new MemoryTarget(), new MemoryTarget()];
    const left = await image(a, 'amd64', 'one');
    const right = await image(b, 'amd64', 'two', { config: true });

    const diff = await diffImages(
      { target: a, descriptor: left.descriptor },
      { target: b, descriptor: right.descriptor },
    );

    assert.deepEqual(diff.missing, [
      { side: 'b', platform: 'linux/amd64', digest: right.config, what: 'config' },
    ]);
    assert.deepEqual(diff.platforms, { added: [], removed: [] });
    assert.equal(diff.changed.length, 1);
    assert.equal(diff.changed[0]!.platform, 'linux/amd64');
    assert.deepEqual(diff.changed[0]!.labels, NO_CHANGE);
    assert.deepEqual(diff.changed[0]!.config, []);
    assert.equal(diff.changed[0]!.layers[0]!.change, 'changed');
  });

  it('an index lacking a child on one side: the other platform compared', async () => {
    const [a, b] = [new MemoryTarget(), new MemoryTarget()];
    const shared = await image(a, 'amd64', 'same');
    await image(b, 'amd64', 'same');
    const arm = await image(a, 'arm64', 'arm');
    await image(b, 'arm64', 'arm', { manifest: true });
    const root = await index(a, [shared.descriptor, arm.descriptor]);
    await index(b, [shared.descriptor, arm.descriptor]);

    const diff = await diffImages(
      { target: a, descriptor: root },
      { target: b, descriptor: root },
    );

    assert.equal(diff.same, false, 'one digest, but b lacks a child');
    assert.equal(diffIsEmpty(diff), false);
    assert.deepEqual(diff.missing, [
      {
        side: 'b',
        platform: 'linux/arm64',
        digest: arm.descriptor.digest.toString(),
        what: 'manifest',
      },
    ]);
    assert.deepEqual(diff.platforms, { added: [], removed: [] });
    assert.deepEqual(diff.changed, []);
  });

  it('an absent root is still an error', async () => {
    const [a, b] = [new MemoryTarget(), new MemoryTarget()];
    const left = await image(a, 'amd64', 'one');

    await assert.rejects(
      diffImages(
        { target: a, descriptor: left.descriptor },
        { target: b, descriptor: left.descriptor },
      ),
      (error) => isGantryError(error, ErrorCode.NotFound),
    );
  });
});
