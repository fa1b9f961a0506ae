import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { MediaType } from '../../src/oci/mediatype.js';
import { Reference } from '../../src/reference/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { RegistryTarget } from '../../src/store/registry-target.js';
import { getRegistries, startRegistry } from '../harness/registries.js';
import {
  blob,
  encode,
  makeImage,
  makeReferrer,
  pushImage,
  pushReferrer,
  readAll,
} from './support.js';

/**
 * RegistryTarget against a real distribution 2.8 registry (no referrers
 * API): manifests by digest, tags as a PUT of the same bytes, referrers kept
 * in the tag-schema index, mounts only within one registry, and the checks
 * every target makes on what it reads and writes.
 */

const code = (expected: string) => (error: unknown) => isGantryError(error, expected);
const client = new RegistryClient();
after(() => client.close());
let host = '';
let repositories = 0;

function target(name = `store/registry-target-${process.pid}-${++repositories}`) {
  return new RegistryTarget(client, Reference.parseRepository(`${host}/${name}`));
}

describe('RegistryTarget', () => {
  before(async () => {
    host = (await getRegistries()).plain.host;
  });

  test('a tag is a PUT of the exact bytes already pushed by digest', async () => {
    const repo = target();
    const image = makeImage('tagged');
    await pushImage(repo, image);
    assert.deepEqual(await repo.tags(), []);

    await repo.tag(image.descriptor, 'v1');
    const ref = Reference.parse(`${repo.description}:v1`);
    const fetched = await client.getManifest(ref);
    assert.deepEqual(new Uint8Array(fetched.bytes), image.manifest.bytes);
    assert.deepEqual(await repo.tags(), ['v1']);
    const resolved = await repo.resolve('v1');
    assert.equal(`${resolved.digest}`, `${image.descriptor.digest}`);
    assert.equal(resolved.mediaType, MediaType.OciManifest);
  });

  test('tagging a missing manifest or a blob is refused', async () => {
    const repo = target();
    const image = makeImage('refused');
    await assert.rejects(repo.tag(image.descriptor, 'x'), code(ErrorCode.NotFound));
    await pushImage(repo, image);
    await assert.rejects(repo.tag(image.layer.descriptor, 'x'), code(ErrorCode.Usage));
  });

  test('blobs are checked before the upload closes; nothing wrong is stored', async () => {
    const repo = target();
    const claimed = blob(encode('the real content'), MediaType.OciLayer);
    const forged = encode('the fake content');
    await assert.rejects(repo.push(claimed, forged), code(ErrorCode.DigestMismatch));
    await assert.rejects(
      repo.push(claimed, Readable.from([forged])),
      code(ErrorCode.DigestMismatch),
    );
    assert.equal(await repo.exists(claimed), false);

    const image = makeImage('sizes');
    await pushImage(repo, image);
    const wrong = { ...image.layer.descriptor, size: image.layer.descriptor.size + 3 };
    assert.equal(await repo.exists(wrong), false);
    await assert.rejects(repo.fetchBytes(wrong), code(ErrorCode.SizeMismatch));
    await assert.rejects(
      (async () => readAll(await repo.fetch(wrong)))(),
      code(ErrorCode.SizeMismatch),
    );
  });

  test('a manifest with a subject is added to the tag-schema index once', async () => {
    const repo = target();
    const image = makeImage('subject');
    await pushImage(repo, image);
    const sbom = makeReferrer(image.descriptor, 'application/example.sbom', 's');
    const pushed = await pushReferrer(repo, sbom, 's');
    // Pushed again, as a resumed copy does: no second entry.
    await repo.push(pushed, sbom.bytes);

    const listed = await repo.referrers(image.descriptor.digest);
    assert.deepEqual(
      listed.map((d) => `${d.digest}`),
      [`${pushed.digest}`],
    );
    assert.equal(listed[0]?.artifactType, 'application/example.sbom');
    assert.deepEqual(await repo.tags(), [image.descriptor.digest.toReferrersTag()]);
    assert.deepEqual(await repo.referrers(image.descriptor.digest, 'other/type'), []);
  });

  test('mounts within one registry, never across registries', async () => {
    const from = target();
    const image = makeImage('mounted');
    await pushImage(from, image);

    const to = target();
    assert.equal(await to.mountFrom(image.layer.descriptor, from), true);
    assert.equal(await to.exists(image.layer.descriptor), true);
    assert.equal(await to.mountFrom(image.layer.descriptor, to), false);

    const other = await startRegistry('plain');
    after(() => other.stop());
    const elsewhere = new RegistryTarget(
      client,
      Reference.parseRepository(`${other.host}/store/elsewhere`),
    );
    assert.equal(await elsewhere.mountFrom(image.config.descriptor, from), false);
    assert.equal(await elsewhere.exists(image.config.descriptor), false);
  });

  test('pushFrom re-opens its source at an offset; fetchFrom reads from one', async () => {
    const repo = target();
    const bytes = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    const descriptor = blob(bytes, MediaType.OciLayer);
    const opened: number[] = [];
    const source = {
      open(offset: number) {
        opened.push(offset);
        return Readable.from([bytes.subarray(offset)]);
      },
    };
    assert.equal(
      await repo.pushFrom(descriptor, source, { chunkSize: 1 << 20 }),
      'uploaded',
    );
    assert.deepEqual(opened, [0]);
    assert.equal(await repo.pushFrom(descriptor, source), 'exists');

    const tail = await readAll(await repo.fetchFrom(descriptor, 1000));
    assert.deepEqual(tail, bytes.subarray(1000));
  });
});
