import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createIndex } from '../../src/oci/create.js';
import { MediaType } from '../../src/oci/mediatype.js';
import type { ImageDiff } from '../../src/verify/diff.js';
import {
  DOCKER_LAYER_GZIP,
  DOCKER_MANIFEST,
  OCI_INDEX,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
  seedImage,
} from '../harness/images.js';
import { type RunningRegistry, startRegistry } from '../harness/registries.js';
import { runInProcess } from './run-in-process.js';
import { seedingClient } from './support.js';
import { SEED_ANNOTATIONS, seedComparedImages, Tamper } from './verify-support.js';

/**
 * `gantry diff A B` on a real registry: an image against the same image
 * converted to Docker v2 media types shows exactly the changed media types
 * (index, manifests, layers) and the annotations a Docker list cannot
 * carry; against a copy that lost a platform, exactly that platform; an
 * image against itself is the same. Exit 0 same, 1 different.
 */

let registry: RunningRegistry;
let tamper: Tamper;
let seeded: Awaited<ReturnType<typeof seedComparedImages>>;
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

before(async () => {
  registry = await startRegistry('plain');
  tamper = new Tamper(seedingClient(registry), registry.host, 'diff/app');
  seeded = await seedComparedImages(tamper);
});

after(async () => {
  await tamper?.client.close();
  await registry?.stop();
});

async function diff(a: string, b: string) {
  const at = (tag: string) => `${registry.host}/diff/app:${tag}`;
  const json = await runInProcess(['--json', 'diff', at(a), at(b)]);
  const text = await runInProcess(['diff', at(a), at(b)]);
  return { code: json.code, diff: JSON.parse(json.stdout) as ImageDiff, text };
}

const NO_MAP_CHANGE = { added: {}, removed: {}, changed: {} };

describe('gantry diff', () => {
  it('an image against itself: same, exit 0', async () => {
    const { code, diff: same, text } = await diff('oci', 'oci');
    assert.equal(code, 0);
    assert.equal(same.same, true);
    assert.equal(text.stdout, 'same\n');
  });

  it('against its Docker v2 conversion: exactly types and annotations', async () => {
    const { code, diff: changes, text } = await diff('oci', 'docker');
    assert.equal(code, 1);
    assert.equal(text.code, 1);
    const expected: ImageDiff = {
      same: false,
      digest: { a: seeded.seeded.digest, b: seeded.docker.digest.toString() },
      mediaType: { a: OCI_INDEX, b: DOCKER_LIST },
      annotations: { added: {}, removed: SEED_ANNOTATIONS, changed: {} },
      platforms: { added: [], removed: [] },
      attestations: { added: [], removed: [] },
      changed: [],
      missing: [],
    };
    const docker = seeded.docker.kind === 'index' ? seeded.docker.manifests : [];
    for (const image of seeded.seeded.manifests) {
      const converted = docker.find((d) =>
        image.platform.endsWith(d.platform!.architecture),
      )!;
      const original = await tamper.get(image.digest);
      const layers = original.kind === 'manifest' ? original.layers : [];
      expected.changed.push({
        platform: image.platform,
        digest: { a: image.digest, b: converted.digest.toString() },
        mediaType: { a: OCI_MANIFEST, b: DOCKER_MANIFEST },
        configMediaType: { a: MediaType.OciConfig, b: MediaType.DockerConfig },
        config: [],
        labels: NO_MAP_CHANGE,
        layers: layers.map(({ digest, size }, index) => ({
          index,
          change: 'changed' as const,
          a: { digest: digest.toString(), mediaType: OCI_LAYER_GZIP, size },
          b: { digest: digest.toString(), mediaType: DOCKER_LAYER_GZIP, size },
        })),
      });
    }
    assert.deepEqual(changes, expected);
    assert.match(text.stdout, /^~ mediaType .*index.* → .*manifest\.list/m);
    assert.match(
      text.stdout,
      /^- annotation org\.opencontainers\.image\.version=2\.0\.0$/m,
    );
    const config = /^~ \[linux\/arm64\] config mediaType \S+oci\.image\.config\S+ → /m;
    assert.match(text.stdout, new RegExp(`${config.source}\\S+docker\\.container`, 'm'));
    assert.match(text.stderr, /GANTRY_E_IMAGES_DIFFER/);
  });

  it('against a copy that lost a platform: exactly that platform', async () => {
    const { code, diff: changes, text } = await diff('oci', 'one');
    assert.equal(code, 1);
    assert.deepEqual(changes, {
      same: false,
      digest: { a: seeded.seeded.digest, b: seeded.one.digest.toString() },
      annotations: NO_MAP_CHANGE,
      platforms: { added: [], removed: ['linux/arm64'] },
      attestations: { added: [], removed: [] },
      changed: [],
      missing: [],
    });
    assert.match(text.stdout, /^- platform linux\/arm64$/m);
  });

  it('against a copy that lost its attestations: each by its platform', async () => {
    const attested = await seedImage(tamper.client, tamper.at('attested'), {
      attestations: true,
      annotations: SEED_ANNOTATIONS,
    });
    const index = await tamper.get('attested');
    assert.ok(index.kind === 'index');
    const bare = createIndex({
      manifests: index.manifests.filter((m) => m.platform?.os !== 'unknown'),
      annotations: SEED_ANNOTATIONS,
    });
    await tamper.put('bare', bare);
    const platforms = attested.attestations
      .map((a) => attested.manifests.find((m) => m.digest === a.for)!.platform)
      .sort();
    assert.ok(platforms.length > 0);

    const { code, diff: changes, text } = await diff('attested', 'bare');
    assert.equal(code, 1);
    assert.deepEqual(changes, {
      same: false,
      digest: { a: attested.digest, b: bare.digest.toString() },
      annotations: NO_MAP_CHANGE,
      platforms: { added: [], removed: [] },
      attestations: { added: [], removed: platforms },
      changed: [],
      missing: [],
    });
    for (const platform of platforms) {
      assert.match(text.stdout, new RegExp(`^- attestation of ${platform}$`, 'm'));
    }
    const back = await diff('bare', 'attested');
    assert.deepEqual(back.diff.attestations, { added: platforms, removed: [] });
    assert.match(back.text.stdout, /^\+ attestation of linux\//m);
  });
});
