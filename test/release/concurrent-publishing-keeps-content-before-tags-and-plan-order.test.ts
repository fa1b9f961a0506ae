import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isImageLayerType } from '../../src/oci/mediatype.js';
import type { ReleaseRecord } from '../../src/release/record.js';
import { ref, seedingClient, uniqueRepository } from '../cli/support.js';
import { runGantry } from '../harness/cli.js';
import { seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * `gantry --debug release` of a base and three variants to two
 * repositories of a real registry, which it publishes side by side: read
 * from the HTTP trace, in each repository every blob and manifest write is
 * answered before the first tag is asked for, and every tag of an image is
 * answered before any tag of the next image in the plan is asked for, so
 * the base's tags come last. The record agrees, and the release verifies.
 */
const VERSION = '2.0.1';

let registry: TestRegistry;
let work = '';
let destinations: string[] = [];
let bases = '';

interface Request {
  /** Line of the `http >` request and of its `http <` answer in the trace. */
  asked: number;
  answered: number;
  method: string;
  path: string;
}

before(async () => {
  registry = (await getRegistries()).plain;
  destinations = [
    uniqueRepository(registry, 'order-a'),
    uniqueRepository(registry, 'order-b'),
  ];
  bases = uniqueRepository(registry, 'order-bases');
  const client = seedingClient(registry);
  for (const name of ['alpine', 'debian', 'ubuntu']) {
    await seedImage(client, ref(`${bases}/${name}:1`));
  }
  await client.close();

  work = makeTempDir('gantry-release-order-');
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
  const variants = ['alpine', 'debian', 'ubuntu'].flatMap((name) => [
    `  - from: ${bases}/${name}:1`,
    `    suffixes: [${name}]`,
  ]);
  const file = [
    `destinations: [${destinations.join(', ')}]`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /tool',
    'variants:',
    ...variants,
  ];
  await writeFile(join(work, 'release.yaml'), file.join('\n'));
});

after(() => {
  if (work !== '') removeTempDir(work);
});

/** Requests with their answers, from a `--debug` trace (a retried one counts once). */
function requests(trace: string): Request[] {
  const lines = trace.split('\n');
  const open = new Map<string, number[]>();
  const found: Request[] = [];
  for (const [index, line] of lines.entries()) {
    const asked = /http > ([A-Z]+) (\S+)/.exec(line);
    if (asked !== null) {
      const key = `${asked[1]} ${asked[2]}`;
      open.set(key, [...(open.get(key) ?? []), index]);
      continue;
    }
    const answer = /http < \d+ ([A-Z]+) (\S+)/.exec(line);
    if (answer === null) continue;
    const key = `${answer[1]} ${answer[2]}`;
    const start = open.get(key)?.shift();
    if (start === undefined) continue;
    const path = new URL(answer[2]!).pathname;
    found.push({ asked: start, answered: index, method: answer[1]!, path });
  }
  return found;
}

describe('a release publishing two repositories side by side', () => {
  let record: ReleaseRecord;
  let trace: Request[] = [];
  let raw = '';

  before(async () => {
    const run = await runGantry(
      ['--debug', 'release', `--version=${VERSION}`, '--record', 'record.json'],
      { cwd: work },
    );
    assert.equal(run.code, 0, run.stderr.slice(-4000));
    assert.match(run.stderr, /\d+ checks, 0 failures/);
    record = JSON.parse(await readFile(join(work, 'record.json'), 'utf8'));
    trace = requests(run.stderr);
    raw = run.stderr;
  });

  it('answers every content write in a repository before its first tag', () => {
    for (const destination of destinations) {
      const repository = `/v2/${destination.slice(destination.indexOf('/') + 1)}/`;
      const mine = trace.filter((r) => r.path.startsWith(repository));
      const tags = mine.filter((r) => r.method === 'PUT' && isTagPath(r.path));
      const content = mine.filter(
        (r) => ['PUT', 'POST', 'PATCH'].includes(r.method) && !isTagPath(r.path),
      );
      const planned = record.tags.filter((tag) => tag.destination === destination);
      assert.equal(tags.length, planned.length, destination);
      assert.ok(content.length > 0, destination);
      const firstTag = Math.min(...tags.map((r) => r.asked));
      const lastContent = Math.max(...content.map((r) => r.answered));
      assert.ok(lastContent < firstTag, `${destination}: content after a tag`);
    }
  });

  it('sends each small staged blob in a POST and one PUT with its bytes', () => {
    for (const destination of destinations) {
      const repository = `/v2/${destination.slice(destination.indexOf('/') + 1)}/`;
      const uploads = trace.filter((r) =>
        r.path.startsWith(`${repository}blobs/uploads/`),
      );
      const count = (method: string) => uploads.filter((r) => r.method === method).length;
      // Base layers are mounted (a POST each); staged blobs are POST, then PUT.
      assert.equal(count('PATCH'), 0, destination);
      assert.ok(count('PUT') > 0, destination);
      assert.ok(count('POST') >= count('PUT'), destination);
    }
  });

  it('asks a new repository its tag list, not each tag, nor any config or statement', async () => {
    for (const destination of destinations) {
      const repository = `/v2/${destination.slice(destination.indexOf('/') + 1)}/`;
      const mine = trace.filter((r) => r.path.startsWith(repository));
      const content = mine.filter(
        (r) => ['PUT', 'POST', 'PATCH'].includes(r.method) && !isTagPath(r.path),
      );
      const lastContent = Math.max(...content.map((r) => r.answered));
      const early = mine.filter((r) => r.asked < lastContent);
      // The comparison: the repository's tag list says it is new; no tag is asked.
      const lists = early.filter(
        (r) => r.method === 'GET' && r.path.endsWith('/tags/list'),
      );
      assert.equal(lists.length, 1, destination);
      assert.deepEqual(
        early.filter((r) => r.method === 'HEAD' && isTagPath(r.path)),
        [],
        destination,
      );
      // Blobs asked about are layers only (the base layers, then mounted from
      // the bases' repository, and the tool's layer); configs and attestation
      // statements go up unasked.
      const asked = new Set(
        early
          .filter((r) => r.method === 'HEAD' && r.path.includes('/blobs/'))
          .map((r) => r.path.slice(r.path.lastIndexOf('/') + 1)),
      );
      const mounts = [
        ...raw.matchAll(
          /http > POST \S+?(\/v2\/\S+?\/blobs\/uploads\/)\S*?mount=([^&\s]+)/g,
        ),
      ]
        .filter((m) => m[1] === `${repository}blobs/uploads/`)
        .map((m) => decodeURIComponent(m[2]!));
      assert.ok(mounts.length > 0, destination);
      for (const digest of mounts) assert.ok(asked.has(digest), digest);
      const staged = [...asked].filter((digest) => !mounts.includes(digest));
      assert.ok(staged.length > 0, `${destination}: the tool's layer is asked for`);
      const { layers, others } = await blobsOf(record, destination);
      assert.ok(others.size > 0, destination);
      for (const digest of asked) assert.ok(layers.has(digest), `${digest} is no layer`);
      for (const digest of others) assert.ok(!asked.has(digest), `${digest} was asked`);
    }
  });

  it("answers an image's tags before asking for the next image's", () => {
    for (const destination of destinations) {
      const repository = `/v2/${destination.slice(destination.indexOf('/') + 1)}/`;
      const imageOf = new Map(
        record.tags
          .filter((tag) => tag.destination === destination)
          .map((tag) => [`${repository}manifests/${tag.tag}`, tag.image]),
      );
      const puts = trace.filter((r) => r.method === 'PUT' && imageOf.has(r.path));
      const order = record.order;
      for (const [rank, image] of order.entries()) {
        const these = puts.filter((r) => imageOf.get(r.path) === image);
        const later = puts.filter((r) => order.indexOf(imageOf.get(r.path)!) > rank);
        if (these.length === 0 || later.length === 0) continue;
        const done = Math.max(...these.map((r) => r.answered));
        const next = Math.min(...later.map((r) => r.asked));
        assert.ok(done < next, `${destination}: ${image}'s tags overlap later images`);
      }
      assert.equal(order.at(-1), 'base');
    }
  });

  it('run again, asks nothing about content whose index a tag names', async () => {
    const again = await runGantry(
      [
        '--debug',
        'release',
        `--version=${VERSION}`,
        '--no-verify',
        '--record',
        'again.json',
      ],
      { cwd: work },
    );
    assert.equal(again.code, 0, again.stderr.slice(-4000));
    const second = requests(again.stderr).filter((r) =>
      destinations.some((d) => r.path.startsWith(`/v2/${d.slice(d.indexOf('/') + 1)}/`)),
    );
    // Only the comparison's look-ups (each repository's tag list, then each
    // tag): no blob, no manifest written.
    assert.ok(second.some((r) => r.method === 'HEAD' && isTagPath(r.path)));
    const isTagList = (r: { method: string; path: string }) =>
      r.method === 'GET' && r.path.endsWith('/tags/list');
    assert.equal(second.filter(isTagList).length, destinations.length);
    assert.deepEqual(
      second.filter((r) => !isTagList(r) && (r.method !== 'HEAD' || !isTagPath(r.path))),
      [],
    );
  });

  it('records each repository’s tags in plan order, base last', () => {
    for (const destination of destinations) {
      const tags = record.tags.filter((tag) => tag.destination === destination);
      const sequences = tags.map((tag) => tag.sequence!);
      const ranks = tags.map((tag) => record.order.indexOf(tag.image));
      const byWrite = [...tags].sort((a, b) => a.sequence! - b.sequence!);
      const written = byWrite.map((tag) => record.order.indexOf(tag.image));
      assert.deepEqual(
        written,
        [...ranks].sort((a, b) => a - b),
        destination,
      );
      assert.equal(new Set(sequences).size, tags.length, destination);
    }
  });
});

/**
 * Every blob the release's images name in `destination`, read back from
 * the registry: image layers, and the rest (configs, attestation statements).
 */
async function blobsOf(record: ReleaseRecord, destination: string) {
  const client = seedingClient(registry);
  const layers = new Set<string>();
  const others = new Set<string>();
  try {
    for (const tag of record.tags.filter((t) => t.destination === destination)) {
      const index = await client.getManifest(ref(`${destination}@${tag.digest}`));
      if (index.kind !== 'index') continue;
      for (const child of index.manifests) {
        const image = await client.getManifest(ref(`${destination}@${child.digest}`));
        if (image.kind !== 'manifest') continue;
        others.add(image.config.digest.toString());
        for (const layer of image.layers) {
          const kind = isImageLayerType(layer.mediaType) ? layers : others;
          kind.add(layer.digest.toString());
        }
      }
    }
  } finally {
    await client.close();
  }
  return { layers, others };
}

function isTagPath(path: string): boolean {
  return /\/manifests\/[^/]+$/.test(path) && !/\/manifests\/sha256:/.test(path);
}
