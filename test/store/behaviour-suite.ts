import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { afterEach, describe, test } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { Digest } from '../../src/oci/digest.js';
import { MediaType } from '../../src/oci/mediatype.js';
import type { ReadTarget, WriteTarget } from '../../src/store/target.js';
import {
  blob,
  encode,
  makeImage,
  makeIndex,
  makeReferrer,
  pushImage,
  pushReferrer,
  readAll,
} from './support.js';

/**
 * The behaviour every target shares, run against each backend. `reopen`
 * gives a fresh reader of what was written (after close for an archive),
 * so the suite also proves that writes persist.
 */
export interface BackendUnderTest {
  target: WriteTarget;
  reopen(): Promise<ReadTarget>;
  /** Releases what the backend holds (an archive's staging folder). */
  dispose?(): Promise<void>;
}

const code = (expected: string) => (error: unknown) =>
  isGantryError(error) && error.code === expected;

export function targetBehaviourSuite(
  name: string,
  make: () => Promise<BackendUnderTest>,
): void {
  describe(`${name} behaves as a target`, () => {
    const made: BackendUnderTest[] = [];
    const create = async () => {
      const backend = await make();
      made.push(backend);
      return backend;
    };
    afterEach(async () => {
      for (const backend of made.splice(0)) await backend.dispose?.();
    });

    test('pushed content is fetched back byte for byte, whole and streamed', async () => {
      const { target } = await create();
      const image = makeImage('fetch');
      await pushImage(target, image);

      for (const part of [image.config, image.layer]) {
        assert.equal(await target.exists(part.descriptor), true);
        assert.deepEqual(await target.fetchBytes(part.descriptor), part.bytes);
        assert.deepEqual(await readAll(await target.fetch(part.descriptor)), part.bytes);
      }
      assert.deepEqual(await target.fetchBytes(image.descriptor), image.manifest.bytes);
    });

    test('a pushed manifest resolves by digest but no tag reaches it', async () => {
      const { target } = await create();
      const image = makeImage('untagged');
      await pushImage(target, image);

      const resolved = await target.resolve(image.descriptor.digest.toString());
      assert.equal(resolved.digest.toString(), image.descriptor.digest.toString());
      assert.equal(resolved.mediaType, MediaType.OciManifest);
      assert.equal(resolved.size, image.manifest.size);
      assert.deepEqual(await target.tags(), []);
      await assert.rejects(target.resolve('latest'), code(ErrorCode.NotFound));
    });

    test('a tag resolves to its manifest, moves when retagged, persists', async () => {
      const backend = await create();
      const one = makeImage('one');
      const two = makeImage('two');
      await pushImage(backend.target, one);
      await pushImage(backend.target, two);
      await backend.target.tag(one.descriptor, 'v1');
      await backend.target.tag(one.descriptor, 'stable');
      await backend.target.tag(two.descriptor, 'v1');

      const reader = await backend.reopen();
      assert.deepEqual([...(await reader.tags())].sort(), ['stable', 'v1']);
      assert.equal(
        (await reader.resolve('v1')).digest.toString(),
        `${two.descriptor.digest}`,
      );
      assert.equal(
        (await reader.resolve('stable')).digest.toString(),
        `${one.descriptor.digest}`,
      );
      assert.deepEqual(await reader.fetchBytes(two.descriptor), two.manifest.bytes);
    });

    test('tagging something absent or not a manifest is refused', async () => {
      const { target } = await create();
      const image = makeImage('refused');
      await assert.rejects(target.tag(image.descriptor, 'x'), code(ErrorCode.NotFound));
      await pushImage(target, image);
      await assert.rejects(
        target.tag(image.layer.descriptor, 'x'),
        code(ErrorCode.Usage),
      );
      assert.deepEqual(await target.tags(), []);
    });

    test('a push whose bytes do not match the digest stores nothing', async () => {
      const { target } = await create();
      const claimed = blob(encode('the real content'), MediaType.OciLayer);
      const forged = encode('the fake content');
      await assert.rejects(target.push(claimed, forged), code(ErrorCode.DigestMismatch));
      await assert.rejects(
        target.push(claimed, Readable.from([forged])),
        code(ErrorCode.DigestMismatch),
      );
      assert.equal(await target.exists(claimed), false);
      await assert.rejects(target.fetchBytes(claimed), code(ErrorCode.NotFound));
    });

    test('a push longer or shorter than the descriptor says stores nothing', async () => {
      const { target } = await create();
      const bytes = encode('twelve bytes');
      const longer = { ...blob(bytes, MediaType.OciLayer), size: bytes.byteLength - 1 };
      const shorter = { ...blob(bytes, MediaType.OciLayer), size: bytes.byteLength + 1 };
      await assert.rejects(target.push(longer, bytes), code(ErrorCode.SizeMismatch));
      await assert.rejects(
        target.push(shorter, Readable.from([bytes.subarray(0, 5), bytes.subarray(5)])),
        code(ErrorCode.SizeMismatch),
      );
      assert.equal(await target.exists(blob(bytes, MediaType.OciLayer)), false);
    });

    test('a streamed push is stored, and pushing it again changes nothing', async () => {
      const { target } = await create();
      const bytes = encode('streamed in three parts');
      const descriptor = blob(bytes, MediaType.OciLayer);
      const parts = [bytes.subarray(0, 4), bytes.subarray(4, 9), bytes.subarray(9)];
      await target.push(descriptor, Readable.from(parts));
      const again = Readable.from(parts);
      await target.push(descriptor, again);
      assert.equal(again.readableEnded, true);
      assert.deepEqual(await target.fetchBytes(descriptor), bytes);
    });

    test('a read under a descriptor of the wrong size is a SizeMismatch', async () => {
      const { target } = await create();
      const image = makeImage('size');
      await pushImage(target, image);
      const wrong = { ...image.layer.descriptor, size: image.layer.descriptor.size + 3 };
      assert.equal(await target.exists(wrong), false);
      await assert.rejects(target.fetchBytes(wrong), code(ErrorCode.SizeMismatch));
      await assert.rejects(
        (async () => readAll(await target.fetch(wrong)))(),
        code(ErrorCode.SizeMismatch),
      );
    });

    test('fetchBytes refuses content over its limit before reading', async () => {
      const { target } = await create();
      const image = makeImage('limit');
      await pushImage(target, image);
      await assert.rejects(
        target.fetchBytes(image.layer.descriptor, image.layer.descriptor.size - 1),
        code(ErrorCode.ContentTooLarge),
      );
    });

    test('referrers: found by subject scan and by tag schema, filtered', async () => {
      const { target } = await create();
      const image = makeImage('subject');
      await pushImage(target, image);
      const sbom = makeReferrer(image.descriptor, 'application/example.sbom', 's');
      const sbomDescriptor = await pushReferrer(target, sbom, 's');

      // A referrer known only through the tag schema index.
      const signature = makeReferrer(image.descriptor, 'application/example.sig', 'g');
      const signatureDescriptor = await pushReferrer(target, signature, 'g');
      const listed = { ...signatureDescriptor, artifactType: 'application/example.sig' };
      const fallback = makeIndex([listed]);
      const fallbackDescriptor = blob(fallback.bytes, MediaType.OciIndex);
      await target.push(fallbackDescriptor, fallback.bytes);
      await target.tag(fallbackDescriptor, image.descriptor.digest.toReferrersTag());

      const all = await target.referrers(image.descriptor.digest);
      const digests = all.map((d) => d.digest.toString()).sort();
      const expected = [sbomDescriptor, signatureDescriptor].map((d) => `${d.digest}`);
      assert.deepEqual(digests, expected.sort());
      const found = all.find((d) => d.digest.equals(sbomDescriptor.digest));
      assert.equal(found?.artifactType, 'application/example.sbom');
      assert.deepEqual(found?.annotations, { 'org.example.seed': 's' });

      const sigs = await target.referrers(
        image.descriptor.digest,
        'application/example.sig',
      );
      assert.deepEqual(
        sigs.map((d) => `${d.digest}`),
        [`${signatureDescriptor.digest}`],
      );
      const none = await target.referrers(Digest.of(encode('nothing refers to this')));
      assert.deepEqual(none, []);
    });
  });
}
