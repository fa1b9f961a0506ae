import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Digest } from '../../src/oci/digest.js';
import type { ReleaseRecord } from '../../src/release/record.js';
import { OCI_INDEX, OCI_MANIFEST, seedImage } from '../harness/images.js';
import { type RunningRegistry, startRegistry } from '../harness/registries.js';
import { runInProcess } from './run-in-process.js';
import { ref, seedingClient } from './support.js';

/**
 * `gantry release` of a scratch base image (two platforms, one generated
 * file per platform through a `$TARGETARCH` path) and two variants on
 * bases seeded in the first of two plain registries: every planned tag
 * exists in both registries with the same digest (gantry digest and
 * skopeo agree), OCI media types, labels in every config, annotations on
 * every index, base tags written last; a second run uploads nothing and
 * changes no digest; `--dry-run` writes nothing and says new, then stays;
 * `--to oci:DIR` publishes a layout skopeo reads, with the same digests.
 */
const SKOPEO = '/usr/bin/skopeo';
const VERSION = '1.4.2';
const TEAM_LABEL = 'com.example.team';

let first: RunningRegistry;
let second: RunningRegistry;
let work = '';

function releaseFile(): string {
  return [
    `destinations: [${first.host}/rel/tool, ${second.host}/rel/tool]`,
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
    `  ${TEAM_LABEL}: tools`,
  ].join('\n');
}

before(async () => {
  [first, second] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
  const client = seedingClient(first);
  await seedImage(client, ref(`${first.host}/bases/alpine:3.21`));
  await seedImage(client, ref(`${first.host}/bases/debian:12`), { layers: 2 });
  await client.close();

  work = await mkdtemp(join(tmpdir(), 'gantry-release-cli-'));
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
  await writeFile(join(work, 'release.yaml'), releaseFile());
});

after(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  if (work !== '') await rm(work, { recursive: true, force: true });
});

function release(...args: string[]) {
  return runInProcess(['release', `--version=${VERSION}`, ...args, releasePath()]);
}

function releasePath(): string {
  return join(work, 'release.yaml');
}

async function readRecord(name: string): Promise<ReleaseRecord> {
  return JSON.parse(await readFile(join(work, name), 'utf8')) as ReleaseRecord;
}

async function tagList(host: string): Promise<string> {
  const result = await runInProcess(['tags', `${host}/rel/tool`]);
  return `${result.code}\n${result.stdout}`;
}

function skopeo(...args: string[]): string {
  return execFileSync(SKOPEO, args, { encoding: 'utf8' });
}

function rawIndex(image: string): Record<string, unknown> & { manifests: unknown[] } {
  return JSON.parse(
    skopeo('inspect', '--raw', '--tls-verify=false', `docker://${image}`),
  );
}

describe('gantry release into two plain registries', () => {
  let record: ReleaseRecord;

  it('dry-run first: every tag new, nothing written', async () => {
    const before = await Promise.all([tagList(first.host), tagList(second.host)]);
    const table = await release('--dry-run');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /order: alpine3\.21 → debian12 → base/);
    assert.doesNotMatch(table.stdout, /stays|moves|exists/);

    const json = await runInProcess([
      '--json',
      'release',
      `--version=${VERSION}`,
      '--dry-run',
      releasePath(),
    ]);
    const { plan, diff } = JSON.parse(json.stdout);
    const writes = plan.destinations.length * plan.destinations[0].writes.length;
    assert.equal(diff.counts.new, writes);
    assert.deepEqual(
      await Promise.all([tagList(first.host), tagList(second.host)]),
      before,
    );
  });

  it('publishes every tag in both registries with the same digests', async () => {
    const run = await release('--record', join(work, 'first.json'));
    assert.equal(run.code, 0, run.stderr);
    record = await readRecord('first.json');
    assert.match(run.stdout, /IMAGE\s+PLATFORMS\s+TAGS\s+DIGEST/);
    // Every image's row names its platforms, then its tags and digest.
    for (const image of record.images) {
      const row = run.stdout
        .split('\n')
        .find((line) => line.startsWith(`${image.name} `));
      assert.ok(row, `no summary row for ${image.name}`);
      assert.match(row, /\slinux\/amd64,linux\/arm64\s/);
      assert.ok(row.endsWith(image.digest), row);
    }
    // The release reads itself back at the end (gantry verify's checks).
    assert.match(run.stderr, /^\d+ checks, 0 failures$/m);
    assert.equal(record.tags.length, 2 * (4 + 6 + 3));
    assert.ok(record.tags.every((tag) => tag.change === 'new'));

    const digests = new Map(record.images.map((image) => [image.name, image.digest]));
    for (const tag of record.tags) {
      assert.equal(tag.digest, digests.get(tag.image));
      const printed = await runInProcess(['digest', `${tag.destination}:${tag.tag}`]);
      assert.equal(printed.stdout.trim(), tag.digest, `${tag.destination}:${tag.tag}`);
    }
    for (const host of [first.host, second.host]) {
      for (const tag of ['latest', 'alpine', 'debian12']) {
        const bytes = skopeo(
          'inspect',
          '--raw',
          '--tls-verify=false',
          `docker://${host}/rel/tool:${tag}`,
        );
        const image = record.tags.find((t) => t.tag === tag)!.image;
        assert.equal(Digest.of(Buffer.from(bytes)).toString(), digests.get(image));
      }
    }
  });

  it('writes OCI indexes with annotations and labels in every config', () => {
    for (const image of record.images) {
      const firstTag = record.tags.find((tag) => tag.image === image.name)!.tag;
      const index = rawIndex(`${second.host}/rel/tool:${firstTag}`);
      assert.equal(index.mediaType, OCI_INDEX);
      const annotations = index.annotations as Record<string, string>;
      assert.equal(annotations['org.opencontainers.image.version'], firstTag);
      for (const entry of index.manifests as { mediaType: string }[]) {
        assert.equal(entry.mediaType, OCI_MANIFEST);
      }
      const config = JSON.parse(
        skopeo(
          'inspect',
          '--config',
          '--tls-verify=false',
          '--override-arch',
          'arm64',
          `docker://${second.host}/rel/tool:${firstTag}`,
        ),
      );
      assert.equal(config.config.Labels[TEAM_LABEL], 'tools');
      assert.equal(config.config.Labels['org.opencontainers.image.version'], firstTag);
    }
  });

  it('the second registry holds every blob of a variant (streamed in)', () => {
    const copy = join(work, 'copied');
    skopeo(
      'copy',
      '--src-tls-verify=false',
      '--all',
      `docker://${second.host}/rel/tool:alpine`,
      `oci:${copy}:alpine`,
    );
    const bytes = skopeo('inspect', '--raw', `oci:${copy}:alpine`);
    const alpine = record.images.find((image) => image.name === 'alpine3.21')!;
    assert.equal(Digest.of(Buffer.from(bytes)).toString(), alpine.digest);
  });

  it('writes the base tags last in each registry, by the record', () => {
    for (const destination of record.destinations) {
      const tags = record.tags.filter((tag) => tag.destination === destination.name);
      const base = tags.filter((tag) => tag.image === 'base').map((t) => t.sequence!);
      const others = tags.filter((tag) => tag.image !== 'base').map((t) => t.sequence!);
      assert.ok(Math.max(...others) < Math.min(...base), destination.name);
    }
    assert.deepEqual(record.order, ['alpine3.21', 'debian12', 'base']);
  });

  it('a second run uploads nothing and every tag stays', async () => {
    const run = await runInProcess([
      '--json',
      'release',
      `--version=${VERSION}`,
      '--record',
      join(work, 'second.json'),
      releasePath(),
    ]);
    assert.equal(run.code, 0, run.stderr);
    const again = await readRecord('second.json');
    assert.deepEqual(JSON.parse(run.stdout), again);
    assert.deepEqual(again.images, record.images);
    assert.equal(again.counts.stays, record.tags.length);
    assert.ok(again.tags.every((tag) => tag.sequence === undefined));
    for (const destination of again.destinations) {
      assert.equal(destination.uploaded.blobs, 0, destination.name);
      assert.equal(destination.uploaded.bytes, 0, destination.name);
    }
    assert.ok(again.tags.every((tag) => tag.previous === tag.digest));
  });

  it('dry-run after the release shows existing tags and writes nothing', async () => {
    const before = await Promise.all([tagList(first.host), tagList(second.host)]);
    const table = await release('--dry-run');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /plan: 0 new, 0 moving, 26 staying/);
    assert.deepEqual(
      await Promise.all([tagList(first.host), tagList(second.host)]),
      before,
    );
  });

  it('--to oci:DIR publishes a layout skopeo reads, same digests', async () => {
    const layout = join(work, 'layout');
    const run = await release(
      '--to',
      `oci:${layout}`,
      '--record',
      join(work, 'oci.json'),
    );
    assert.equal(run.code, 0, run.stderr);
    const local = await readRecord('oci.json');
    assert.deepEqual(local.images, record.images);
    assert.deepEqual(
      [...new Set(local.tags.map((t) => t.destination))],
      [`oci:${layout}`],
    );
    for (const tag of ['latest', 'alpine3.21', 'debian12']) {
      const bytes = skopeo('inspect', '--raw', `oci:${layout}:${tag}`);
      const image = local.tags.find((t) => t.tag === tag)!.image;
      const expected = local.images.find((i) => i.name === image)!.digest;
      assert.equal(Digest.of(Buffer.from(bytes)).toString(), expected);
    }
  });
});
