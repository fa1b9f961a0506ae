import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { manifestInfo } from '../../src/cli/inspect-fetch.js';
import { renderInspectTree } from '../../src/cli/inspect-render.js';
import {
  buildInspectDocument,
  type DescriptorInfo,
  type ManifestInfo,
} from '../../src/cli/inspect-view.js';
import { Digest } from '../../src/oci/digest.js';
import { parseManifest } from '../../src/oci/manifest.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { ARCHIVE_FILE, skipUnless } from '../oci/real-images.js';

/**
 * The pure part of `gantry inspect`, on BuildKit's real output: the fixture
 * (see fixtures/README.md in the shared folder) is untarred and its JSON read as is.
 */
const FIXTURE = ARCHIVE_FILE;
describe('inspect view of the BuildKit multi-platform fixture', {
  skip: skipUnless(FIXTURE),
}, () => {
  let dir = '';
  const infos = new Map<string, ManifestInfo>();

  /** Through the real parser and the command's adapter, as `inspect` does. */
  function blobInfo(digest: string): ManifestInfo {
    const bytes = readFileSync(join(dir, 'blobs', ...digest.split(':')));
    return manifestInfo(parseManifest(bytes, { expectedDigest: Digest.parse(digest) }));
  }

  before(() => {
    dir = makeTempDir('gantry-inspect-view-');
    execFileSync('tar', ['-xf', FIXTURE, '-C', dir]);
    const top = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    const image = blobInfo(top.manifests[0].digest);
    infos.set(image.digest, image);
    for (const entry of image.manifests) infos.set(entry.digest, blobInfo(entry.digest));
  });
  after(() => removeTempDir(dir));

  function imageDocument() {
    const [root] = [...infos.values()];
    return buildInspectDocument(root!, infos, 'example.test/hello:1');
  }

  it('lists exactly the two real platforms and attaches one attestation to each', () => {
    const document = imageDocument();

    assert.deepEqual(
      document.platforms.map((p) => p.platform),
      ['linux/amd64', 'linux/arm64'],
    );
    assert.equal(document.attestations.length, 2);
    for (const platform of document.platforms) {
      assert.equal(platform.attestations.length, 1);
      const attestation = document.attestations.find(
        (a) => a.digest === platform.attestations[0],
      );
      assert.equal(attestation?.for, platform.digest);
      assert.equal(attestation?.platform, platform.platform);
      assert.deepEqual(attestation?.predicateTypes, ['https://slsa.dev/provenance/v0.2']);
    }
  });

  it('gives each platform its config, layer count and compressed size', () => {
    const arm64 = imageDocument().platforms.find((p) => p.platform === 'linux/arm64');

    assert.equal(
      arm64?.config?.digest,
      'sha256:5970ba3213a11ce3effb14d9c38d9714a180d846cf8e8a53650acd09111c902f',
    );
    assert.equal(arm64?.layerCount, 1);
    assert.equal(arm64?.layersSize, 125);
  });

  it('renders attestations as marked lines under their platform', () => {
    const lines = renderInspectTree(imageDocument());
    const text = lines.join('\n');

    assert.ok(lines.includes('Platforms:   2'), text);
    assert.equal(lines.filter((l) => /^\s+attestation sha256:/.test(l)).length, 2, text);
    assert.doesNotMatch(text, /unknown/);
    const amd64 = lines.indexOf('  linux/amd64');
    const arm64 = lines.indexOf('  linux/arm64');
    assert.ok(amd64 >= 0 && arm64 > amd64, text);
    assert.match(lines.slice(amd64, arm64).join('\n'), /^ {4}attestation sha256:/m);
  });
});

describe('inspect view of a single manifest', () => {
  it('shows config and every layer with the total size', () => {
    const layer = (n: number, size: number): DescriptorInfo => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: `sha256:${String(n).repeat(64)}`,
      size,
      annotations: {},
    });
    const manifest: ManifestInfo = {
      digest: `sha256:${'a'.repeat(64)}`,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 500,
      kind: 'manifest',
      annotations: {},
      manifests: [],
      config: { ...layer(9, 300), mediaType: 'application/vnd.oci.image.config.v1+json' },
      layers: [layer(1, 1024), layer(2, 2048)],
    };

    const document = buildInspectDocument(manifest, new Map());
    const lines = renderInspectTree(document);

    assert.equal(document.layersSize, 3072);
    assert.deepEqual(document.platforms, []);
    assert.ok(lines.includes('Layers:      2 (3.0 KiB)'), lines.join('\n'));
    assert.equal(lines.filter((l) => l.startsWith('  sha256:')).length, 2);
  });
});
