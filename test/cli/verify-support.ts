import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createIndex, createManifest } from '../../src/oci/create.js';
import type { Manifest } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/mediatype.js';
import type { RegistryClient } from '../../src/registry/client.js';
import { seedImage } from '../harness/images.js';
import type { RunningRegistry } from '../harness/registries.js';
import { makeTempDir } from '../harness/temp-dir.js';
import { ref, seedingClient } from './support.js';

/**
 * A small published release to verify and damage: the set-up of
 * release-publishes-to-two-registries-then-changes-nothing.test.ts (a
 * two-platform scratch base and two variants on seeded bases, published
 * to two plain registries), and helpers that rewrite tags directly.
 */

export const VERSION = '1.4.2';
export const REPOSITORY = 'rel/tool';

export async function releaseFolder(first: RunningRegistry, second: RunningRegistry) {
  const client = seedingClient(first);
  await seedImage(client, ref(`${first.host}/bases/alpine:3.21`));
  await seedImage(client, ref(`${first.host}/bases/debian:12`), { layers: 2 });
  await client.close();

  const work = makeTempDir('gantry-verify-cli-');
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
  const file = [
    `destinations: [${first.host}/${REPOSITORY}, ${second.host}/${REPOSITORY}]`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /usr/local/bin/tool',
    '  entrypoint: [/usr/local/bin/tool]',
    'variants:',
    `  - from: ${first.host}/bases/alpine:3.21`,
    '    suffixes: [alpine3.21, alpine]',
    `  - from: ${first.host}/bases/debian:12`,
    '    suffixes: [debian12]',
    'labels:',
    '  com.example.team: tools',
  ].join('\n');
  await writeFile(join(work, 'release.yaml'), file);
  return work;
}

/** Reads and writes manifests of the release repository in one registry. */
export class Tamper {
  constructor(
    readonly client: RegistryClient,
    readonly host: string,
    readonly repository = REPOSITORY,
  ) {}

  at(tagOrDigest: string) {
    const sep = tagOrDigest.startsWith('sha256:') ? '@' : ':';
    return ref(`${this.host}/${this.repository}${sep}${tagOrDigest}`);
  }

  get(tagOrDigest: string): Promise<Manifest> {
    return this.client.getManifest(this.at(tagOrDigest));
  }

  async put(tag: string, manifest: { bytes: Uint8Array; mediaType: string }) {
    return (await this.client.putManifest(this.at(tag), manifest)).toString();
  }

  /** One platform's manifest of the index at `tag`, in Docker v2 media types. */
  async dockerManifest(tag: string, architecture: string): Promise<Manifest> {
    const index = await this.get(tag);
    if (index.kind !== 'index') throw new Error(`${tag} is no index`);
    const entry = index.manifests.find((m) => m.platform?.architecture === architecture)!;
    const image = await this.get(entry.digest.toString());
    if (image.kind !== 'manifest') throw new Error(`${entry.digest} is no manifest`);
    return createManifest({
      mediaType: MediaType.DockerManifest,
      config: { ...image.config, mediaType: MediaType.DockerConfig },
      layers: image.layers.map((layer) => ({
        mediaType: MediaType.DockerLayerGzip,
        digest: layer.digest,
        size: layer.size,
      })),
    });
  }

  /** The index at `tag` as a Docker manifest list of Docker manifests. */
  async dockerList(tag: string): Promise<Manifest> {
    const index = await this.get(tag);
    if (index.kind !== 'index') throw new Error(`${tag} is no index`);
    const manifests = [];
    for (const entry of index.manifests) {
      const docker = await this.dockerManifest(tag, entry.platform!.architecture);
      await this.put(docker.digest.toString(), docker);
      manifests.push({
        mediaType: MediaType.DockerManifest,
        digest: docker.digest,
        size: docker.size,
        platform: entry.platform!,
      });
    }
    return createIndex({ mediaType: MediaType.DockerManifestList, manifests });
  }
}

/** An image annotation the compared images carry. */
export const SEED_ANNOTATIONS = { 'org.opencontainers.image.version': '2.0.0' };

/**
 * In `repository`: `oci`, a two-platform OCI index with annotations;
 * `docker`, the same image converted to Docker v2 types (a Docker list has
 * no annotations); `one`, a copy of `oci` that lost linux/arm64.
 */
export async function seedComparedImages(tamper: Tamper) {
  const seeded = await seedImage(tamper.client, tamper.at('oci'), {
    annotations: SEED_ANNOTATIONS,
  });
  const docker = await tamper.dockerList('oci');
  await tamper.put('docker', docker);
  const index = await tamper.get('oci');
  if (index.kind !== 'index') throw new Error('oci is no index');
  const one = createIndex({
    manifests: index.manifests.filter((m) => m.platform?.architecture === 'amd64'),
    annotations: SEED_ANNOTATIONS,
  });
  await tamper.put('one', one);
  return { seeded, docker, one };
}
