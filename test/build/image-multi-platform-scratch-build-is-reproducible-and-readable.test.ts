import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  type BuildResult,
  buildImages,
  type PlatformBuild,
  pushBuild,
} from '../../src/build/build-image.js';
import { MediaType } from '../../src/oci/mediatype.js';
import { Reference } from '../../src/reference/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { RegistryTarget } from '../../src/store/registry-target.js';
import { getRegistries } from '../harness/registries.js';
import { tempDir } from './support.js';

// FROM scratch plus files for linux/amd64 and linux/arm64, each platform's
// binary picked by $TARGETARCH: an index of two images, the same digests
// from another folder at another time with the same SOURCE_DATE_EPOCH, and
// what skopeo and umoci read back from the registry.

/** `${NAME}`, as a Dockerfile writes it. */
const arg = (name: string) => `\${${name}}`;

const client = new RegistryClient();
after(() => client.close());

const EPOCH = '1700000000';
const LONG_NAME = `${'a'.repeat(120)}.txt`;
const LONG_TARGET = `/${'b'.repeat(149)}`;
const ARCHES = ['amd64', 'arm64'] as const;

/** A build context: one binary per architecture and a config folder. */
async function context(mtime: number): Promise<string> {
  const dir = await tempDir('gantry-image-context-');
  for (const arch of ARCHES) {
    await mkdir(join(dir, 'dist', arch), { recursive: true });
    const tool = join(dir, 'dist', arch, 'tool');
    await writeFile(tool, `#!/bin/sh\necho ${arch} tool\n`);
    await chmod(tool, 0o700);
    await utimes(tool, mtime, mtime);
  }
  await mkdir(join(dir, 'etc'));
  await writeFile(join(dir, 'etc', 'app.conf'), 'level=info\n');
  await chmod(join(dir, 'etc', 'app.conf'), 0o640);
  await utimes(join(dir, 'etc', 'app.conf'), mtime, mtime);
  return dir;
}

function builds(dir: string): PlatformBuild[] {
  return ARCHES.map((architecture) => ({
    platform: { os: 'linux', architecture },
    base: 'scratch',
    steps: [
      {
        kind: 'layer',
        createdBy: `COPY dist/${arg('TARGETARCH')}/tool /app/tool`,
        inputs: [
          {
            source: `${dir}/dist/${arg('TARGETARCH')}/tool`,
            destination: '/app/tool',
            mode: 0o755,
          },
          { source: `${dir}/etc`, destination: '/etc/app' },
          { symlink: '/app/tool', destination: '/usr/bin/tool' },
          // BR-26: a name over 100 bytes and a 150-byte link target.
          { content: 'long\n', destination: `/app/${LONG_NAME}` },
          { symlink: LONG_TARGET, destination: '/app/long-link' },
          {
            content: 'state\n',
            destination: '/var/lib/app/state',
            mode: 0o600,
            uid: 1000,
            gid: 1000,
          },
        ],
      },
      {
        kind: 'config',
        createdBy: 'ENTRYPOINT ["/app/tool"]',
        changes: { Entrypoint: ['/app/tool'], Env: { APP_ARCH: architecture } },
      },
    ],
  }));
}

async function build(dir: string): Promise<BuildResult> {
  const saved = process.env.SOURCE_DATE_EPOCH;
  process.env.SOURCE_DATE_EPOCH = EPOCH;
  try {
    return await buildImages(builds(dir), {
      client,
      cacheDir: false,
      labels: { 'org.opencontainers.image.title': 'tool' },
    });
  } finally {
    if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = saved;
  }
}

test('builds in other folders at other times give the same digests', async () => {
  const first = await build(await context(1_000_000));
  const second = await build(await context(2_000_000_000));
  after(() => Promise.all([first.dispose(), second.dispose()]));

  assert.equal(first.index?.mediaType, MediaType.OciIndex);
  assert.deepEqual(
    first.index?.manifests.map((m) => m.platform?.architecture),
    [...ARCHES],
  );
  assert.equal(`${first.root.digest}`, `${second.root.digest}`);
  assert.deepEqual(first.index?.bytes, second.index?.bytes);
  const [amd, arm] = first.manifests;
  assert.notEqual(
    `${amd!.manifest.layers[0]!.digest}`,
    `${arm!.manifest.layers[0]!.digest}`,
  );
  assert.equal(amd!.config.created, '2023-11-14T22:13:20Z');
});

test('skopeo shows each platform; umoci unpacks exactly the expected tree', async () => {
  const { plain } = await getRegistries();
  const name = `${plain.host}/build/scratch-${process.pid}`;
  const result = await build(await context(1_000_000));
  after(() => result.dispose());
  const destination = new RegistryTarget(client, Reference.parseRepository(name));
  await pushBuild(result, destination, ['1.0']);

  for (const arch of ARCHES) {
    const global = ['--override-os', 'linux', '--override-arch', arch];
    const ref = ['--tls-verify=false', `docker://${name}:1.0`];
    const skopeo = (...args: string[]) =>
      JSON.parse(
        execFileSync('skopeo', [...global, ...args, ...ref], { encoding: 'utf8' }),
      );
    const info = skopeo('inspect');
    assert.equal(info.Architecture, arch);
    assert.ok(info.Env.includes(`APP_ARCH=${arch}`));
    assert.equal(info.Labels['org.opencontainers.image.title'], 'tool');
    const config = skopeo('inspect', '--config');
    assert.deepEqual(config.config.Entrypoint, ['/app/tool']);

    const rootfs = await unpack(name, arch);
    await assertTree(rootfs, arch);
  }
});

async function unpack(name: string, arch: string): Promise<string> {
  const dir = await tempDir('gantry-image-unpack-');
  execFileSync('skopeo', [
    '--override-os',
    'linux',
    '--override-arch',
    arch,
    'copy',
    '--quiet',
    '--src-tls-verify=false',
    `docker://${name}:1.0`,
    `oci:${dir}/layout:x`,
  ]);
  const rootless = process.getuid?.() === 0 ? [] : ['--rootless'];
  execFileSync('umoci', [
    'unpack',
    ...rootless,
    '--image',
    `${dir}/layout:x`,
    `${dir}/bundle`,
  ]);
  return join(dir, 'bundle', 'rootfs');
}

async function assertTree(rootfs: string, arch: string): Promise<void> {
  assert.deepEqual(await walk(rootfs), [
    'app',
    `app/${LONG_NAME}`,
    'app/long-link',
    'app/tool',
    'etc',
    'etc/app',
    'etc/app/app.conf',
    'usr',
    'usr/bin',
    'usr/bin/tool',
    'var',
    'var/lib',
    'var/lib/app',
    'var/lib/app/state',
  ]);
  const mode = async (path: string) => (await lstat(join(rootfs, path))).mode & 0o7777;
  assert.equal(await mode('app/tool'), 0o755);
  assert.equal(await mode('etc/app/app.conf'), 0o640);
  assert.equal(await mode('var/lib/app/state'), 0o600);
  assert.equal(await mode('usr/bin'), 0o755);
  assert.equal(
    await readFile(join(rootfs, 'app/tool'), 'utf8'),
    `#!/bin/sh\necho ${arch} tool\n`,
  );
  assert.equal(await readlink(join(rootfs, 'usr/bin/tool')), '/app/tool');
  assert.equal(await readlink(join(rootfs, 'app/long-link')), LONG_TARGET);
  assert.equal(await readFile(join(rootfs, 'app', LONG_NAME), 'utf8'), 'long\n');
  if (process.getuid?.() === 0) {
    const state = await lstat(join(rootfs, 'var/lib/app/state'));
    assert.deepEqual([state.uid, state.gid], [1000, 1000]);
    const tool = await lstat(join(rootfs, 'app/tool'));
    assert.deepEqual([tool.uid, tool.gid], [0, 0]);
  }
}

async function walk(root: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const name of (await readdir(join(root, prefix))).sort()) {
    const path = prefix === '' ? name : `${prefix}/${name}`;
    found.push(path);
    if ((await lstat(join(root, path))).isDirectory())
      found.push(...(await walk(root, path)));
  }
  return found;
}
