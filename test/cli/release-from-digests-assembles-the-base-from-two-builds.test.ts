import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ReleaseRecord } from '../../src/release/record.js';
import { OCI_INDEX } from '../harness/images.js';
import { type RunningRegistry, startRegistry } from '../harness/registries.js';
import { runInProcess } from './run-in-process.js';

/**
 * Across machines: two `gantry build --push-by-digest` runs (one platform
 * each, as two CI jobs would) push into a registry; `gantry release
 * --from-digests a.json b.json --to REPO` on a release file with only a
 * base image writes every planned tag on one OCI index holding exactly
 * those two platform digests, annotated with the version. A release file
 * with variants is refused before anything is written.
 */
const SKOPEO = '/usr/bin/skopeo';
let registry: RunningRegistry;
let work = '';

before(async () => {
  registry = await startRegistry('plain');
  work = await mkdtemp(join(tmpdir(), 'gantry-from-digests-'));
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
  await writeFile(
    join(work, 'Dockerfile'),
    'FROM scratch\nARG TARGETARCH\nCOPY dist/$TARGETARCH/tool /tool\nCMD ["/tool"]\n',
  );
  const base = [
    `destinations: [${registry.host}/elsewhere/tool]`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /tool',
  ];
  await writeFile(join(work, 'release.yaml'), base.join('\n'));
  const withVariant = [
    ...base,
    'variants:',
    '  - from: alpine:3.21',
    '    suffixes: [alpine]',
  ];
  await writeFile(join(work, 'variants.yaml'), withVariant.join('\n'));
});

after(async () => {
  await registry?.stop();
  if (work !== '') await rm(work, { recursive: true, force: true });
});

async function buildOne(arch: string): Promise<string> {
  const file = join(work, `${arch}.json`);
  const run = await runInProcess([
    'build',
    '--platform',
    `linux/${arch}`,
    '--push-by-digest',
    `${registry.host}/ci/tool`,
    '--metadata-file',
    file,
    work,
  ]);
  assert.equal(run.code, 0, run.stderr);
  return file;
}

describe('gantry release --from-digests', () => {
  it('tags one index over exactly the two pushed platform images', async () => {
    const files = [await buildOne('amd64'), await buildOne('arm64')];
    const pushed = await Promise.all(
      files.map(async (f) => JSON.parse(await readFile(f, 'utf8'))[0].digest as string),
    );

    const target = `${registry.host}/rel/tool`;
    const run = await runInProcess([
      'release',
      '--version=2.3.0',
      '--from-digests',
      ...files,
      '--to',
      target,
      '--record',
      join(work, 'record.json'),
      join(work, 'release.yaml'),
    ]);
    assert.equal(run.code, 0, run.stderr);
    const record = JSON.parse(
      await readFile(join(work, 'record.json'), 'utf8'),
    ) as ReleaseRecord;
    assert.deepEqual(record.tags.map((t) => t.tag).sort(), [
      '2',
      '2.3',
      '2.3.0',
      'latest',
    ]);

    const digest = record.images[0]!.digest;
    for (const tag of ['2.3.0', '2.3', '2', 'latest']) {
      const printed = await runInProcess(['digest', `${target}:${tag}`]);
      assert.equal(printed.stdout.trim(), digest, tag);
    }
    const index = JSON.parse(
      execFileSync(
        SKOPEO,
        ['inspect', '--raw', '--tls-verify=false', `docker://${target}:latest`],
        { encoding: 'utf8' },
      ),
    );
    assert.equal(index.mediaType, OCI_INDEX);
    assert.deepEqual(
      index.manifests.map((m: { digest: string }) => m.digest),
      pushed,
    );
    assert.equal(index.annotations['org.opencontainers.image.version'], '2.3.0');
  });

  it('refuses a release file with variants and writes nothing', async () => {
    const files = [join(work, 'amd64.json'), join(work, 'arm64.json')];
    const run = await runInProcess([
      'release',
      '--version=2.3.0',
      '--from-digests',
      ...files,
      '--to',
      `${registry.host}/never/tool`,
      join(work, 'variants.yaml'),
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /assembles the base image only.*variants alpine/);
    const tags = await runInProcess(['tags', `${registry.host}/never/tool`]);
    assert.notEqual(tags.code, 0);
  });
});
