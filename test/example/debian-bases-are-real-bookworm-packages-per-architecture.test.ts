import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_CACHE_DIR } from '../../examples/esbuild/bases.js';
import type { MadeBase } from '../../examples/esbuild/debian/build-base.js';
import { readArMembers } from '../../examples/esbuild/debian/deb.js';
import { Digest, OciLayoutTarget } from '../../src/index.js';
import {
  ELF_MACHINE,
  EXAMPLE_EPOCH,
  elfMachine,
  type LayerFile,
  layerFiles,
  makeExampleBases,
} from './support.js';

/**
 * The example's base images (examples/esbuild/bases.ts) hold the real
 * bookworm packages of each architecture: the binaries' ELF machine is
 * x86-64 in linux/amd64 and AArch64 in linux/arm64, owners are 0:0, every
 * time is the epoch, modes and symlinks are the packages', the CA bundle
 * holds every shipped certificate, labels name the packages, and making
 * them again gives the same digests.
 */

interface PlatformImage {
  platform: string;
  config: { config: { Env?: string[]; Cmd?: string[]; Labels?: Record<string, string> } };
  files: Map<string, LayerFile>;
}

let work = '';
let made: MadeBase[] = [];
const images = new Map<string, PlatformImage[]>();

interface DescriptorJson {
  mediaType: string;
  digest: string;
  size: number;
}

function fetchBlob(layout: OciLayoutTarget, { mediaType, digest, size }: DescriptorJson) {
  return layout.fetchBytes({ mediaType, digest: Digest.parse(digest), size });
}

async function readJson(layout: OciLayoutTarget, descriptor: DescriptorJson) {
  return JSON.parse(Buffer.from(await fetchBlob(layout, descriptor)).toString('utf8'));
}

async function readBase(layout: OciLayoutTarget, tag: string): Promise<PlatformImage[]> {
  const top = await layout.resolve(tag);
  const index = await readJson(layout, { ...top, digest: `${top.digest}` });
  const result: PlatformImage[] = [];
  for (const entry of index.manifests) {
    const manifest = await readJson(layout, entry);
    assert.equal(manifest.layers.length, 1, `${tag}: one layer per platform`);
    result.push({
      platform: `${entry.platform.os}/${entry.platform.architecture}`,
      config: await readJson(layout, manifest.config),
      files: await layerFiles(await fetchBlob(layout, manifest.layers[0])),
    });
  }
  return result;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'gantry-example-bases-'));
  made = await makeExampleBases(join(work, 'bases'));
  const layout = await OciLayoutTarget.open(join(work, 'bases'));
  for (const base of made) images.set(base.tag, await readBase(layout, base.tag));
});

after(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

function file(image: PlatformImage, path: string): LayerFile {
  const found = image.files.get(path);
  assert.ok(found !== undefined, `${image.platform}: ${path} is missing`);
  return found;
}

describe('the example bases made from Debian packages', () => {
  it('are busybox and bookworm, each an index of linux/amd64 and linux/arm64', () => {
    assert.deepEqual(
      made.map((base) => base.tag),
      ['busybox', 'bookworm'],
    );
    for (const tag of ['busybox', 'bookworm']) {
      const platforms = images.get(tag)!.map((image) => image.platform);
      assert.deepEqual(platforms, ['linux/amd64', 'linux/arm64']);
    }
  });

  it("hold each architecture's own binaries (ELF machine)", () => {
    for (const image of images.get('busybox')!) {
      const arch = image.platform.split('/')[1]!;
      assert.equal(elfMachine(file(image, 'bin/busybox').bytes), ELF_MACHINE[arch]);
    }
    const triplets: Record<string, string> = {
      amd64: 'x86_64-linux-gnu',
      arm64: 'aarch64-linux-gnu',
    };
    for (const image of images.get('bookworm')!) {
      const arch = image.platform.split('/')[1]!;
      const libc = file(image, `lib/${triplets[arch]}/libc.so.6`);
      assert.equal(elfMachine(libc.bytes), ELF_MACHINE[arch], image.platform);
    }
  });

  it('keep modes and symlinks, with owner 0:0 and the epoch as every time', () => {
    for (const image of [...images.get('busybox')!, ...images.get('bookworm')!]) {
      for (const { entry } of image.files.values()) {
        assert.equal(`${entry.uid}:${entry.gid}`, '0:0', entry.path);
        assert.equal(entry.mtime, EXAMPLE_EPOCH, entry.path);
      }
    }
    const busybox = images.get('busybox')![0]!;
    assert.equal(file(busybox, 'bin/busybox').entry.mode, 0o755);
    assert.equal(file(busybox, 'bin/sh').entry.type, 'symlink');
    assert.equal(file(busybox, 'bin/sh').entry.linkTarget, 'busybox');
    const bookworm = images.get('bookworm')![0]!;
    assert.equal(file(bookworm, 'tmp').entry.mode, 0o1777, 'base-files ships /tmp 1777');
    assert.equal(file(bookworm, 'lib64/ld-linux-x86-64.so.2').entry.type, 'symlink');
  });

  it('have the CA bundle update-ca-certificates would make', () => {
    for (const image of images.get('bookworm')!) {
      const shipped = [...image.files.keys()].filter(
        (path) =>
          path.startsWith('usr/share/ca-certificates/mozilla/') && path.endsWith('.crt'),
      );
      const bundle = Buffer.from(
        file(image, 'etc/ssl/certs/ca-certificates.crt').bytes,
      ).toString('utf8');
      const count = bundle.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
      assert.ok(shipped.length > 100, `${shipped.length} certificates shipped`);
      assert.equal(count, shipped.length);
    }
  });

  it('have PATH, and labels naming every package and its version', () => {
    for (const [tag, platforms] of images) {
      const base = made.find((candidate) => candidate.tag === tag)!;
      for (const [i, image] of platforms.entries()) {
        const { Env, Labels } = image.config.config;
        assert.ok(Env?.some((line) => line.startsWith('PATH=/usr/local/sbin:')));
        const description = Labels?.['org.opencontainers.image.description'] ?? '';
        for (const entry of base.platforms[i]!.packages) {
          assert.ok(description.includes(`${entry.name} ${entry.version}`), description);
          assert.ok(['all', image.platform.split('/')[1]].includes(entry.architecture));
        }
      }
    }
  });

  it('are reproducible: made again elsewhere, uncached, every digest is the same', async () => {
    const again = await makeExampleBases(join(work, 'again'), false);
    assert.deepEqual(
      again.map((base) => [base.tag, `${base.digest}`]),
      made.map((base) => [base.tag, `${base.digest}`]),
    );
  });

  it('come from .deb files that are ar archives with a data.tar.xz', async () => {
    const pool = join(DEFAULT_CACHE_DIR, 'pool');
    const debs = (await readdir(pool)).filter((name) => name.endsWith('.deb'));
    assert.ok(debs.length >= 7, debs.join(' '));
    for (const deb of debs) {
      const members = await readArMembers(join(pool, deb));
      assert.deepEqual(
        members.map((member) => member.name),
        ['debian-binary', 'control.tar.xz', 'data.tar.xz'],
        deb,
      );
    }
  });
});
