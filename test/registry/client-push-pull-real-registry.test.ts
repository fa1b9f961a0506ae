import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Digest } from '../../src/oci/digest.js';
import { Reference } from '../../src/reference/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { StaticCredentials } from '../../src/registry/credentials.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { TEST_USERS } from '../harness/users.js';

/**
 * The whole push and pull flow against real distribution 2.8 registries:
 * plain HTTP, and token auth as alice. Steps run in order on one repository.
 */

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
/** Bigger than one chunk several times over, so the chunked path is taken. */
const BIG_BLOB_SIZE = 5 * 1024 * 1024 + 123;
const CHUNK_SIZE = 1024 * 1024;

function blob(bytes: Buffer) {
  return { bytes, digest: Digest.of(bytes), size: bytes.length };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function clientFor(registry: TestRegistry): RegistryClient {
  const credentials = new StaticCredentials();
  if (registry.users !== undefined) {
    credentials.set(registry.host, { username: 'alice', password: TEST_USERS.alice });
  }
  return new RegistryClient({ credentials });
}

async function readAll(stream: Readable): Promise<Buffer> {
  return Buffer.concat(await stream.toArray());
}

for (const kind of ['plain', 'token'] as const) {
  describe(`RegistryClient against the ${kind} registry`, () => {
    let client: RegistryClient;
    let repo: Reference;
    const config = blob(
      json({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [] },
      }),
    );
    const layer = blob(randomBytes(3000));
    const manifest = blob(
      json({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: `${config.digest}`,
          size: config.size,
        },
        layers: [
          {
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            digest: `${layer.digest}`,
            size: layer.size,
          },
        ],
      }),
    );
    const index = blob(
      json({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          {
            mediaType: OCI_MANIFEST,
            digest: `${manifest.digest}`,
            size: manifest.size,
            platform: { architecture: 'amd64', os: 'linux' },
          },
        ],
        annotations: { 'org.opencontainers.image.version': '1.0' },
      }),
    );

    before(async () => {
      const registry = (await getRegistries())[kind];
      client = clientFor(registry);
      const name = `registry-test/flow-${randomBytes(4).toString('hex')}`;
      repo = Reference.parseRepository(`${registry.host}/${name}`);
    });

    after(async () => {
      await client.close();
    });

    it('uploads config and layer blobs, and finds them there afterwards', async () => {
      assert.equal(await client.uploadBlob(repo, config, config.bytes), 'uploaded');
      assert.equal(await client.uploadBlob(repo, layer, layer.bytes), 'uploaded');
      assert.equal(await client.uploadBlob(repo, layer, layer.bytes), 'exists');
      assert.deepEqual(await client.headBlob(repo, layer.digest), { size: layer.size });
      assert.deepEqual(await readAll(await client.getBlob(repo, layer)), layer.bytes);
    });

    it('pushes a manifest, then an index; both come back byte-identical', async () => {
      const manifestRef = repo.withDigest(manifest.digest);
      const pushed = await client.putManifest(manifestRef, {
        bytes: manifest.bytes,
        mediaType: OCI_MANIFEST,
      });
      assert.ok(pushed.equals(manifest.digest));
      const indexDigest = await client.putManifest(repo.withTag('1.0'), {
        bytes: index.bytes,
        mediaType: OCI_INDEX,
      });
      assert.ok(indexDigest.equals(index.digest));

      const gotIndex = await client.getManifest(repo.withTag('1.0'));
      assert.deepEqual(Buffer.from(gotIndex.bytes), index.bytes);
      assert.equal(gotIndex.kind, 'index');
      const gotManifest = await client.getManifest(manifestRef);
      assert.deepEqual(Buffer.from(gotManifest.bytes), manifest.bytes);
      assert.equal(gotManifest.mediaType, OCI_MANIFEST);
    });

    it('HEAD of a tag gives its descriptor; a missing tag is undefined', async () => {
      const descriptor = await client.headManifest(repo.withTag('1.0'));
      assert.equal(descriptor?.mediaType, OCI_INDEX);
      assert.equal(descriptor?.size, index.size);
      assert.ok(descriptor?.digest.equals(index.digest));
      assert.equal(await client.headManifest(repo.withTag('missing')), undefined);
    });

    it('lists the tags pushed', async () => {
      await client.putManifest(repo.withTag('single'), {
        bytes: manifest.bytes,
        mediaType: OCI_MANIFEST,
      });
      assert.deepEqual((await client.listTags(repo)).sort(), ['1.0', 'single']);
    });

    it('uploads a 5 MiB stream in chunks and reads it back verified', async () => {
      const big = blob(randomBytes(BIG_BLOB_SIZE));
      const source = {
        open: (offset: number) => Readable.from([big.bytes.subarray(offset)]),
      };
      const chunks: number[] = [];
      const result = await client.uploadBlob(repo, big, source, {
        chunkSize: CHUNK_SIZE,
        onProgress: (uploaded) => chunks.push(uploaded),
      });
      assert.equal(result, 'uploaded');
      assert.equal(chunks.length, Math.ceil(BIG_BLOB_SIZE / CHUNK_SIZE));
      assert.deepEqual(await readAll(await client.getBlob(repo, big)), big.bytes);
    });

    it('mounts a blob into another repository without uploading it', async () => {
      const target = Reference.parseRepository(
        `${repo.registry}/${repo.repository}-mounted`,
      );
      assert.equal(await client.mountBlob(target, layer.digest, repo), true);
      assert.deepEqual(await client.headBlob(target, layer.digest), { size: layer.size });

      const unknown = Digest.of(randomBytes(16));
      assert.equal(await client.mountBlob(target, unknown, repo), false);
    });

    it('keeps referrers in the tag-schema index (no referrers API)', async () => {
      const subject = manifest.digest;
      assert.deepEqual(await client.referrers(repo, subject), []);
      const empty = blob(Buffer.from('{}'));
      await client.uploadBlob(repo, empty, empty.bytes);
      const sbomType = 'application/vnd.example.sbom';
      const artifact = blob(
        json({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          artifactType: sbomType,
          config: {
            mediaType: 'application/vnd.oci.empty.v1+json',
            digest: `${empty.digest}`,
            size: 2,
          },
          layers: [
            {
              mediaType: 'application/vnd.oci.empty.v1+json',
              digest: `${empty.digest}`,
              size: 2,
            },
          ],
          subject: { mediaType: OCI_MANIFEST, digest: `${subject}`, size: manifest.size },
        }),
      );
      await client.putManifest(repo.withDigest(artifact.digest), {
        bytes: artifact.bytes,
        mediaType: OCI_MANIFEST,
      });
      const descriptor = {
        mediaType: OCI_MANIFEST,
        digest: artifact.digest,
        size: artifact.size,
        artifactType: sbomType,
      };

      const first = await client.putReferrerFallback(repo, subject, descriptor);
      const again = await client.putReferrerFallback(repo, subject, descriptor);
      assert.ok(again.equals(first), 'adding the same referrer twice changes nothing');

      const found = await client.referrers(repo, subject);
      assert.deepEqual(
        found.map((d) => [`${d.digest}`, d.artifactType]),
        [[`${artifact.digest}`, sbomType]],
      );
      assert.equal(
        (await client.referrers(repo, subject, { artifactType: sbomType })).length,
        1,
      );
      assert.deepEqual(
        await client.referrers(repo, subject, { artifactType: 'application/other' }),
        [],
      );
    });

    it('deletes a tag by digest when the registry refuses tag deletes', async () => {
      const result = await client.deleteManifest(repo.withTag('single'));
      assert.equal(result.deletedByTag, false);
      assert.ok(result.digest.equals(manifest.digest));
      assert.equal(await client.headManifest(repo.withTag('single')), undefined);
      assert.equal(
        await client.headManifest(repo.withDigest(manifest.digest)),
        undefined,
      );
    });
  });
}
