import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseImageConfig } from '../../src/oci/config.js';
import { createManifest } from '../../src/oci/create.js';
import type { Descriptor } from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';
import { MediaType } from '../../src/oci/mediatype.js';
import { MemoryTarget } from '../../src/store/memory.js';
import { failureAt } from '../../src/verify/check-image.js';
import { checkLayers, type LayerExpectation } from '../../src/verify/layers.js';
import type { PlatformImage } from '../../src/verify/read-image.js';
import { Findings } from '../../src/verify/types.js';
import { tarOneFile } from '../harness/images.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * The layer checks on a hand-made image in memory: the placed file's mode
 * is compared with its source's, an entry leaving the root is refused, a
 * missing file is named, and the lower layers must be the base's exactly.
 */

const work = makeTempDir('gantry-verify-layers-');
after(() => removeTempDir(work));

const CONFIG = Buffer.from(
  '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
);

function descriptor(bytes: Uint8Array, mediaType: string): Descriptor {
  return { mediaType, digest: Digest.of(bytes), size: bytes.byteLength };
}

/** A gzip tar of `names`, each one 0644 file, in order. */
function layer(names: string[]): Buffer {
  const tars = names.map((name) => tarOneFile(name, Buffer.from(name)));
  const body = tars.map((tar) => tar.subarray(0, tar.length - 1024));
  return gzipSync(Buffer.concat([...body, Buffer.alloc(1024)]));
}

async function image(names: string[], base: Descriptor) {
  const target = new MemoryTarget();
  const top = layer(names);
  const topDescriptor = descriptor(top, MediaType.OciLayerGzip);
  await target.push(topDescriptor, top);
  const manifest = createManifest({
    config: descriptor(CONFIG, MediaType.OciConfig),
    layers: [base, topDescriptor],
  });
  const platform: PlatformImage = {
    platform: 'linux/amd64',
    descriptor: descriptor(manifest.bytes, manifest.mediaType),
    manifest,
    config: parseImageConfig(CONFIG),
  };
  return { target, platform };
}

async function run(names: string[], expect: Partial<LayerExpectation>, base: Descriptor) {
  const { target, platform } = await image(names, base);
  const findings = new Findings();
  const fail = failureAt({ destination: 'memory', tag: 'v1', digest: 'sha256:x' });
  await checkLayers(
    findings,
    target,
    platform,
    { baseLayers: [base], files: [], baseDir: work, ...expect },
    fail,
  );
  return findings.report();
}

const BASE = descriptor(Buffer.from('base layer'), MediaType.OciLayerGzip);

describe('layer checks of a release image', () => {
  it('a placed file with its source mode and the base below holds', async () => {
    await writeFile(join(work, 'plain'), 'x');
    await chmod(join(work, 'plain'), 0o644);
    const files = [{ source: 'plain', target: '/usr/bin/tool' }];
    const report = await run(['usr/bin/tool'], { files }, BASE);
    assert.deepEqual(report.failures, []);
    // base layers, the one path, the file's type and its mode
    assert.equal(report.checks, 4);
  });

  it('another mode, a missing file, a path leaving the root: each named', async () => {
    await writeFile(join(work, 'exec'), 'x');
    await chmod(join(work, 'exec'), 0o755);
    const files = [
      { source: 'exec', target: '/usr/bin/tool' },
      { source: 'exec', target: '/usr/bin/other' },
    ];
    const report = await run(['usr/bin/tool', '../escape'], { files }, BASE);
    const lines = report.failures.map((f) => [f.check, f.expected, f.actual]);
    assert.deepEqual(lines, [
      ['layer-files', 'inside /', '../escape'],
      ['layer-files', '0755', '0644'],
      ['layer-files', 'a file', undefined],
    ]);
    assert.match(
      report.failures[1]!.message,
      /^memory:v1: linux\/amd64 top layer file \/usr\/bin\/tool mode/,
    );
  });

  it('lower layers other than the base image layers are named', async () => {
    const other = descriptor(Buffer.from('other base'), MediaType.OciLayerGzip);
    const report = await run([], { baseLayers: [other] }, BASE);
    assert.deepEqual(
      report.failures.map((f) => [f.check, f.expected]),
      [['base-layers', `${other.digest}`]],
    );
  });
});
