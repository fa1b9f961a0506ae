import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { getRegistries } from '../harness/registries.js';
import { access, uniqueRepository } from './support.js';

/**
 * `gantry build --output REGISTRY/REPO` for two platforms: each layer goes
 * up once, in one streamed PATCH while it is compressed (the push then finds
 * it there, so it asks nothing), the configs once each without asking
 * first, and the index last. Layers taken from the layer cache went up in
 * no earlier request: the push asks for them. `--compression-level`
 * changes the layer blobs but not what they hold.
 */

let root = '';
after(async () => {
  if (root !== '') await rm(root, { recursive: true, force: true });
});

/** 2 MiB of bytes per architecture that compress a little, as binaries do. */
async function writeTool(arch: string): Promise<void> {
  const bytes = Buffer.alloc(2 * 1024 * 1024);
  for (let at = 0; at < bytes.length; at += 64) {
    createHash('sha256')
      .update(`${arch}${at % 8192}`)
      .digest()
      .copy(bytes, at);
  }
  await writeFile(join(root, `tool-${arch}`), bytes);
}

/** `METHOD path` of every request gantry's --debug log shows it sending. */
function requests(stderr: string): string[] {
  const sent = /^debug: http > ([A-Z]+) (\S+)/gm;
  return [...stderr.matchAll(sent)].map(([, method, url]) => {
    const path = new URL(url!).pathname.replace(/\/uploads\/[^/?]+$/, '/uploads/ID');
    return `${method} ${path}`;
  });
}

const count = (list: string[], what: RegExp) => list.filter((r) => what.test(r)).length;

describe('gantry build pushing to a registry', () => {
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'gantry-build-stream-'));
    await writeFile(
      join(root, 'Dockerfile'),
      'FROM scratch\nARG TARGETARCH\nCOPY tool-${TARGETARCH} /tool\n',
    );
    await Promise.all(['amd64', 'arm64'].map(writeTool));
  });

  /** `global` goes before `build` (registry access), `extra` after it. */
  const build = (
    output: string,
    extra: string[] = [],
    global: string[] = [],
    input = '',
  ) =>
    runGantry(
      [
        '--debug',
        ...global,
        'build',
        '--platform',
        'linux/amd64,linux/arm64',
        '--no-cache',
        ...extra,
        '--output',
        output,
        root,
      ],
      input === '' ? {} : { input },
    );

  it('sends each blob once and the layers while they are compressed', async () => {
    const { plain } = await getRegistries();
    const result = await build(`${uniqueRepository(plain, 'stream')}:1`);
    assert.equal(result.code, 0, result.stderr);
    const sent = requests(result.stderr);

    // Two layers streamed (no Content-Length) and closed by digest.
    const streamed = result.stderr.match(/^debug: http > PATCH .*$/gm) ?? [];
    assert.equal(streamed.length, 2, sent.join('\n'));
    for (const line of streamed) assert.doesNotMatch(line, /content-length/);
    // Four blobs (two layers, two configs): one upload session each.
    assert.equal(count(sent, /^POST .*\/blobs\/uploads\/$/), 4, sent.join('\n'));
    assert.equal(count(sent, /^PUT .*\/blobs\/uploads\/ID$/), 4, sent.join('\n'));
    // Nothing asked for: the layers went up moments ago, the configs are new.
    assert.equal(count(sent, /^HEAD .*\/blobs\//), 0, sent.join('\n'));
    // Two manifests and the index by digest or tag, nothing more.
    assert.ok(count(sent, /^PUT .*\/manifests\//) <= 4, sent.join('\n'));
    assert.match(sent.filter((r) => r.startsWith('PUT')).at(-1)!, /\/manifests\/1$/);
  });

  it('asks for the layers it took from the layer cache', async () => {
    const { plain } = await getRegistries();
    const cache = join(root, 'cache');
    const cached = (repo: string) =>
      runGantry([
        '--debug',
        'build',
        '--platform',
        'linux/amd64,linux/arm64',
        '--cache-dir',
        cache,
        '--output',
        `${uniqueRepository(plain, repo)}:1`,
        root,
      ]);
    const fill = await cached('fill');
    assert.equal(fill.code, 0, fill.stderr);
    const again = await cached('again');
    assert.equal(again.code, 0, again.stderr);
    const sent = requests(again.stderr);
    assert.equal(count(sent, /^PATCH /), 0, sent.join('\n'));
    // The two layers asked for (absent from the new repository, so sent).
    assert.equal(count(sent, /^HEAD .*\/blobs\//), 2, sent.join('\n'));
    assert.equal(count(sent, /^PUT .*\/blobs\/uploads\/ID$/), 4, sent.join('\n'));
  });

  it('--compression-level gives other blobs with the same content', async () => {
    const { plain } = await getRegistries();
    const repo = uniqueRepository(plain, 'level');
    const fast = await build(`${repo}:fast`, ['--compression-level', '1']);
    const usual = await build(`${repo}:usual`);
    assert.equal(fast.code, 0, fast.stderr);
    assert.equal(usual.code, 0, usual.stderr);
    assert.notEqual(fast.stdout.split('\n')[0], usual.stdout.split('\n')[0]);

    // The config names the diff IDs (the tar's digests): equal at any level.
    const manifest = async (tag: string) => {
      const args = ['inspect', '--raw', '--platform', 'linux/arm64', `${repo}:${tag}`];
      const out = await runGantry(args);
      assert.equal(out.code, 0, out.stderr);
      return JSON.parse(out.stdout) as {
        config: { digest: string };
        layers: { digest: string; size: number }[];
      };
    };
    const [a, b] = [await manifest('fast'), await manifest('usual')];
    assert.equal(a.config.digest, b.config.digest);
    assert.notEqual(a.layers[0]!.digest, b.layers[0]!.digest);
    assert.ok(a.layers[0]!.size > b.layers[0]!.size, 'level 1 is the larger');

    const refused = await build(`${repo}:x`, ['--compression-level', 'fast']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--compression-level "fast" is not a whole number/);
    const negative = await build(`${repo}:x`, ['--compression-level', '-1']);
    assert.equal(negative.code, 2, negative.stderr);
    assert.match(negative.stderr, /"-1" is not a whole number from 0 to 19/);
    const none = ['--compression', 'none', '--compression-level', '5'];
    const pointless = await build(`${repo}:x`, none);
    assert.equal(pointless.code, 2, pointless.stderr);
    assert.match(
      pointless.stderr,
      /--compression-level has no effect with --compression none/,
    );
  });

  it('streams the layers to a TLS and a token registry as well', async () => {
    const { tls, token } = await getRegistries();
    for (const registry of [tls, token]) {
      const { flags, input } = access(registry);
      const output = `${uniqueRepository(registry, 'stream')}:1`;
      const result = await build(output, [], flags, input);
      assert.equal(result.code, 0, result.stderr);
      const streamed = result.stderr.match(/^debug: http > PATCH .*$/gm) ?? [];
      assert.equal(streamed.length, 2, `${registry.kind}: ${result.stderr}`);
      assert.equal(count(requests(result.stderr), /^PUT .*\/blobs\/uploads\/ID$/), 4);
    }
  });
});
