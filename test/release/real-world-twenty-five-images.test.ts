import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import type { ImageIndex } from '../../src/oci/manifest.js';
import { parseReference, parseRepository } from '../../src/reference/index.js';
import { RegistryClient } from '../../src/registry/client.js';
import type { ReleaseRecord } from '../../src/release/record.js';
import { runGantry } from '../harness/cli.js';
import { OCI_INDEX, OCI_MANIFEST } from '../harness/images.js';
import { type RunningRegistry, startRegistry } from '../harness/registries.js';
import { makeTempDir } from '../harness/temp-dir.js';
import { REAL_WORLD_VERSION, TAGS_PER_REPOSITORY } from './fixtures/real-world/bases.js';
import { releaseEnv, writeRealWorldRelease } from './fixtures/real-world/setup.js';
import { walkTags } from './fixtures/real-world/walk.js';

/**
 * Issue 5's real-world release, whole: one scratch base and 24 variants on
 * 24 locally generated two-platform base images, version 0.7.14, published
 * by `gantry release` into two plain registries. All 84 tags per registry
 * with the same digests, OCI media types, each index annotated with its
 * image's version, labels in every config, one attestation manifest per
 * platform image naming a manifest of its index, the base written last,
 * and a second run that uploads nothing and moves nothing.
 */
const TEAM_LABEL = 'com.example.team';
const VERSION_KEY = 'org.opencontainers.image.version';
const ATTESTATION_TYPE = 'vnd.docker.reference.type';
const ATTESTATION_OF = 'vnd.docker.reference.digest';

let first: RunningRegistry;
let second: RunningRegistry;
let work = '';
let file = '';
const client = new RegistryClient();

before(async () => {
  [first, second] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
  work = makeTempDir('gantry-real-world-');
  file = await writeRealWorldRelease(client, work, first.host, [
    `${first.host}/acme/tool`,
    `${second.host}/acme/tool`,
  ]);
});

after(async () => {
  await client.close();
  await Promise.all([first?.stop(), second?.stop()]);
});

async function release(record: string): Promise<ReleaseRecord> {
  const run = await runGantry(
    ['--json', 'release', '--record', join(work, record), file],
    {
      env: releaseEnv(work),
    },
  );
  assert.equal(run.code, 0, run.stderr);
  const written = JSON.parse(await readFile(join(work, record), 'utf8')) as ReleaseRecord;
  assert.deepEqual(JSON.parse(run.stdout), written);
  return written;
}

function tagMap(tags: { tag: string; digest: string }[]): Map<string, string> {
  return new Map(tags.map(({ tag, digest }) => [tag, digest]));
}

async function configOf(repository: string, digest: string) {
  const repo = parseRepository(repository);
  const manifest = await client.getManifest(parseReference(`${repository}@${digest}`));
  assert.equal(manifest.kind, 'manifest');
  if (manifest.kind !== 'manifest') throw new Error('unreachable');
  const bytes = await buffer(await client.getBlob(repo, manifest.config));
  return JSON.parse(bytes.toString('utf8')) as {
    config: { Labels?: Record<string, string> };
  };
}

describe('the real-world release: 25 images, two platforms, two registries', () => {
  let record: ReleaseRecord;

  it('publishes all 84 tags in both registries with the same digests', async () => {
    record = await release('first.json');
    assert.equal(record.version, REAL_WORLD_VERSION);
    assert.equal(record.images.length, 25);
    assert.equal(record.tags.length, 2 * TAGS_PER_REPOSITORY);
    assert.ok(record.tags.every((tag) => tag.change === 'new'));

    const [inFirst, inSecond] = await Promise.all(
      [first, second].map((r) => walkTags(client, `${r.host}/acme/tool`)),
    );
    assert.equal(inFirst!.length, TAGS_PER_REPOSITORY);
    assert.deepEqual(tagMap(inSecond!), tagMap(inFirst!));
    for (const tag of record.tags) {
      assert.equal(tagMap(inFirst!).get(tag.tag), tag.digest, tag.tag);
    }
    for (const tag of ['0.7.14', '0.7', 'latest', 'alpine', 'python3.14-bookworm-slim']) {
      assert.ok(tagMap(inFirst!).has(tag), tag);
    }
  });

  it('OCI indexes annotated with each version, labels in every config', async () => {
    const repository = `${second.host}/acme/tool`;
    for (const image of record.images) {
      const firstTag = record.tags.find((tag) => tag.image === image.name)!.tag;
      const index = (await client.getManifest(
        parseReference(`${repository}@${image.digest}`),
      )) as ImageIndex;
      assert.equal(index.mediaType, OCI_INDEX, image.name);
      assert.equal(index.annotations?.[VERSION_KEY], firstTag, image.name);
      assert.equal(index.annotations?.['com.example.build'], 'ci', image.name);

      const platforms = index.manifests.filter(
        (entry) => entry.annotations?.[ATTESTATION_TYPE] === undefined,
      );
      assert.equal(platforms.length, 2, image.name);
      for (const entry of index.manifests) assert.equal(entry.mediaType, OCI_MANIFEST);
      for (const entry of platforms) {
        const config = await configOf(repository, entry.digest.toString());
        assert.equal(config.config.Labels?.[TEAM_LABEL], 'tools', image.name);
        assert.equal(config.config.Labels?.[VERSION_KEY], firstTag, image.name);
      }
    }
  });

  it('attestation manifests refer to platform manifests of their index', async () => {
    const repository = `${first.host}/acme/tool`;
    let attestations = 0;
    for (const image of record.images) {
      const index = (await client.getManifest(
        parseReference(`${repository}@${image.digest}`),
      )) as ImageIndex;
      const platforms = new Set(
        index.manifests
          .filter((entry) => entry.annotations?.[ATTESTATION_TYPE] === undefined)
          .map((entry) => entry.digest.toString()),
      );
      for (const entry of index.manifests) {
        if (entry.annotations?.[ATTESTATION_TYPE] !== 'attestation-manifest') continue;
        attestations += 1;
        assert.ok(platforms.has(entry.annotations[ATTESTATION_OF] ?? ''), image.name);
        await client.getManifest(parseReference(`${repository}@${entry.digest}`));
      }
    }
    // One provenance attestation per platform image (attestations: in the fixture).
    assert.equal(attestations, record.images.length * 2);
  });

  it('writes the base tags last in each registry, by the record', () => {
    assert.equal(record.order.at(-1), 'base');
    for (const destination of record.destinations) {
      const tags = record.tags.filter((tag) => tag.destination === destination.name);
      const base = tags.filter((tag) => tag.image === 'base').map((t) => t.sequence!);
      const others = tags.filter((tag) => tag.image !== 'base').map((t) => t.sequence!);
      assert.equal(base.length, 3);
      assert.ok(Math.max(...others) < Math.min(...base), destination.name);
    }
  });

  it('a second run uploads nothing and changes no digest', async () => {
    const again = await release('second.json');
    assert.deepEqual(again.images, record.images);
    assert.equal(again.counts.stays, record.tags.length);
    for (const destination of again.destinations) {
      assert.equal(destination.uploaded.blobs, 0, destination.name);
      assert.equal(destination.uploaded.bytes, 0, destination.name);
    }
    const after = await walkTags(client, `${second.host}/acme/tool`);
    assert.deepEqual(
      tagMap(after),
      new Map(record.tags.map((tag) => [tag.tag, tag.digest])),
    );
  });
});
