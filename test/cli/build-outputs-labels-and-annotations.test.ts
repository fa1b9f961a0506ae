import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runGantry } from '../harness/cli.js';

/**
 * Where `gantry build` writes and what it adds: the default OCI layout
 * ./gantry-out (tag latest), `--label` on every config, `--annotation`
 * on the index when several platforms are built (un-prefixed) or on the
 * manifests (`manifest:`), never dropped; a docker-save archive for one
 * platform; `--json` output.
 */
const SKOPEO = '/usr/bin/skopeo';
let root = '';
after(async () => {
  if (root !== '') await rm(root, { recursive: true, force: true });
});

function skopeo(args: string[]): Record<string, unknown> {
  return JSON.parse(execFileSync(SKOPEO, args, { encoding: 'utf8' })) as Record<
    string,
    unknown
  >;
}

describe('gantry build outputs', () => {
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'gantry-build-out-'));
    await writeFile(
      join(root, 'Dockerfile'),
      'FROM scratch\nCOPY a.txt /\nCMD ["/a.txt"]\n',
    );
    await writeFile(join(root, 'a.txt'), 'a');
  });

  it('writes ./gantry-out with labels and annotations at both levels', async () => {
    const result = await runGantry(
      [
        '--json',
        'build',
        '--platform',
        'linux/amd64,linux/arm64',
        '--label',
        'org.example.team=build',
        '--annotation',
        'org.opencontainers.image.version=1.0',
        '--annotation',
        'manifest:org.example.kind=tool',
        '--no-cache',
        '.',
      ],
      { cwd: root },
    );
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      digest: string;
      mediaType: string;
      platforms: { platform: string; digest: string }[];
    };
    assert.equal(report.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(
      report.platforms.map((p) => p.platform),
      ['linux/amd64', 'linux/arm64'],
    );

    const layout = `oci:${join(root, 'gantry-out')}:latest`;
    const index = skopeo(['inspect', '--raw', layout]) as {
      annotations?: Record<string, string>;
    };
    assert.equal(index.annotations?.['org.opencontainers.image.version'], '1.0');
    // skopeo --raw shows the index; each platform's manifest is read from the layout.
    const entries = (index as { manifests: { digest: string }[] }).manifests;
    for (const entry of entries) {
      const blob = join(root, 'gantry-out', 'blobs', ...entry.digest.split(':'));
      const manifest = JSON.parse(await readFile(blob, 'utf8')) as {
        annotations?: Record<string, string>;
      };
      assert.equal(manifest.annotations?.['org.example.kind'], 'tool');
    }
    const config = skopeo([
      'inspect',
      '--config',
      '--override-arch',
      'arm64',
      layout,
    ]) as {
      config: { Labels: Record<string, string>; Cmd: string[]; Env: string[] };
      history: { created_by: string }[];
    };
    assert.equal(config.config.Labels['org.example.team'], 'build');
    assert.deepEqual(config.config.Cmd, ['/a.txt']);
    // BuildKit's FROM scratch config: its default PATH, and no history entry for it.
    assert.deepEqual(config.config.Env, [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ]);
    assert.equal(config.history.length, 2);
  });

  it('writes a one-platform docker-save archive under its full reference', async () => {
    const archive = join(root, 'image.tar');
    const result = await runGantry(
      [
        'build',
        '--platform',
        'linux/arm64',
        '--output',
        `docker-archive:${archive}`,
        '--tag',
        'example.com/tool:1.0',
        '--no-cache',
        root,
      ],
      { cwd: root },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^sha256:[0-9a-f]{64}\n$/);
    const config = skopeo(['inspect', '--config', `docker-archive:${archive}`]) as {
      architecture: string;
    };
    assert.equal(config.architecture, 'arm64');
  });

  it('names the image in a docker-save archive from docker-archive:FILE:NAME:TAG', async () => {
    const archive = join(root, 'named.tar');
    const output = `docker-archive:${archive}:example.com/tool:2.0`;
    const result = await runGantry(
      ['build', '--platform', 'linux/amd64', '--output', output, '--no-cache', root],
      { cwd: root },
    );
    assert.equal(result.code, 0, result.stderr);
    const config = skopeo(['inspect', '--config', output]) as { architecture: string };
    assert.equal(config.architecture, 'amd64');
  });

  it('says what a plain output path and a missing context need', async () => {
    const plain = await runGantry(['build', '--output', '/tmp/plain', root], {
      cwd: root,
    });
    assert.equal(plain.code, 2, plain.stderr);
    assert.match(plain.stderr, /hint: write oci:\/tmp\/plain \(a layout folder\)/);
    // A bare archive name would otherwise be pushed to Docker Hub as library/app.tar.
    const named = await runGantry(['build', '--output', 'app.tar', root], { cwd: root });
    assert.equal(named.code, 2, named.stderr);
    assert.match(
      named.stderr,
      /hint: write oci:app\.tar \(a layout folder\), oci-archive:app\.tar/,
    );
    const missing = await runGantry(['build', join(root, 'nope')], { cwd: root });
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(
      missing.stderr,
      /GANTRY_E_BUILD_INPUT: the build context \S+nope does not exist/,
    );
  });

  it('refuses an annotation level it does not write, instead of keeping it in the key', async () => {
    const result = await runGantry(
      [
        'build',
        '--annotation',
        'manifest-descriptor:md=2',
        '--output',
        'oci:./nolevel',
        root,
      ],
      { cwd: root },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /not "manifest-descriptor"/);
    assert.match(result.stderr, /hint: annotate index entries .* gantry index create/);
  });

  it('refuses an index annotation when one platform is built', async () => {
    const result = await runGantry(
      ['build', '--platform', 'linux/amd64', '--annotation', 'index:a=b', root],
      { cwd: root },
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /there is no index to annotate/);
  });
});
