import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { type SeededImage, seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { TEST_USERS } from '../harness/users.js';
import { access, ref, seedingClient, uniqueRepository } from './support.js';

/**
 * `gantry tag SRC t1 t2 t3` PUTs the source's exact bytes under each tag, in
 * the order given, and moves no blob. Checked with gantry itself and with an
 * independent tool (skopeo), and on the `--debug` HTTP trace.
 */
const SKOPEO = '/usr/bin/skopeo';
const NEW_TAGS = ['t1', 't2', 't3'];

/** The method and URL of every request sent, from a `--debug` trace. */
function requests(trace: string): { method: string; url: string }[] {
  const found: { method: string; url: string }[] = [];
  for (const match of trace.matchAll(/http > (GET|HEAD|PUT|POST|PATCH|DELETE) (\S+)/g)) {
    found.push({ method: match[1]!, url: match[2]! });
  }
  return found;
}

/** `skopeo inspect --raw`, with the flags each kind of test registry needs. */
function skopeoRaw(registry: TestRegistry, image: string, certDir: string): string {
  const flags =
    registry.caFile === undefined ? ['--tls-verify=false'] : ['--cert-dir', certDir];
  if (registry.users !== undefined) flags.push('--creds', `alice:${TEST_USERS.alice}`);
  return execFileSync(SKOPEO, ['inspect', '--raw', ...flags, `docker://${image}`], {
    encoding: 'utf8',
  });
}

for (const kind of ['plain', 'tls', 'token'] as const) {
  describe(`gantry tag on the ${kind} registry`, () => {
    let registry: TestRegistry;
    let repository = '';
    let seeded: SeededImage;
    let certDir = '';
    let tagRun: Awaited<ReturnType<typeof runGantry>>;

    before(async () => {
      registry = (await getRegistries())[kind];
      repository = uniqueRepository(registry, 'tag');
      seeded = await seedImage(seedingClient(registry), ref(`${repository}:src`), {
        attestations: true,
      });
      certDir = makeTempDir('gantry-cli-certs-');
      if (registry.caFile !== undefined) {
        copyFileSync(registry.caFile, join(certDir, 'ca.crt'));
      }
      const { flags, input } = access(registry);
      tagRun = await runGantry(
        [...flags, '--debug', 'tag', `${repository}:src`, ...NEW_TAGS],
        input === undefined ? {} : { input },
      );
    });
    after(() => removeTempDir(certDir));

    it('succeeds and prints each new reference with the source digest, in order', () => {
      assert.equal(tagRun.code, 0, tagRun.stderr);
      assert.deepEqual(
        tagRun.stdout.trim().split('\n'),
        NEW_TAGS.map((tag) => `${repository}:${tag}@${seeded.digest}`),
      );
    });

    it('writes only three manifest PUTs, in the order given, and no blob', () => {
      const trace = requests(tagRun.stderr);
      const writes = trace.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
      const uniqueWrites = writes.filter(
        (w, i) =>
          i === 0 || w.url !== writes[i - 1]!.url || w.method !== writes[i - 1]!.method,
      );

      assert.ok(
        trace.length > 0,
        `no request lines in the --debug trace:\n${tagRun.stderr}`,
      );
      assert.doesNotMatch(tagRun.stderr, /\/blobs\/uploads\//);
      assert.equal(
        trace.some((r) => r.url.includes('/blobs/')),
        false,
        'a blob was read or written',
      );
      assert.deepEqual(
        uniqueWrites.map((w) => `${w.method} ${new URL(w.url, registry.url).pathname}`),
        NEW_TAGS.map((tag) => `PUT /v2/${ref(repository).repository}/manifests/${tag}`),
      );
    });

    it('reads nothing from the registry but the source manifest', () => {
      const path = (url: string) => new URL(url, registry.url).pathname;
      const reads = requests(tagRun.stderr).filter(
        (r) =>
          (r.method === 'GET' || r.method === 'HEAD') && r.url.startsWith(registry.url),
      );
      const repo = ref(repository).repository;

      assert.deepEqual(
        [...new Set(reads.map((r) => path(r.url)))].filter((p) => p !== '/v2/'),
        [`/v2/${repo}/manifests/src`],
      );
    });

    it('leaves the source and every new tag byte-identical, says gantry', async () => {
      const { flags, input } = access(registry);
      for (const tag of ['src', ...NEW_TAGS]) {
        const run = await runGantry(
          [...flags, 'inspect', '--raw', `${repository}:${tag}`],
          input === undefined ? {} : { input },
        );
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, seeded.bytes.toString('utf8'), `tag ${tag}`);
      }
    });

    it('leaves the source and every new tag byte-identical, says skopeo', () => {
      for (const tag of ['src', ...NEW_TAGS]) {
        const raw = skopeoRaw(registry, `${repository}:${tag}`, certDir);
        assert.equal(raw, seeded.bytes.toString('utf8'), `tag ${tag}`);
      }
    });
  });
}
