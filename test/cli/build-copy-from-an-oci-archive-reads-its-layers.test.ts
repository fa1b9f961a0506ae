import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runGantry } from '../harness/cli.js';

/**
 * The way around RUN: a stage built elsewhere into an OCI archive is used
 * with `FROM oci-archive:stage.tar` and `COPY --from=oci-archive:...`
 * (paths relative to the context). `COPY --from` an image or a stage on
 * one reads that image's layers; the result, unpacked by umoci, holds the
 * expected files.
 */
const UMOCI = 'umoci';
const made: string[] = [];
after(async () => {
  await Promise.all(made.map((path) => rm(path, { recursive: true, force: true })));
});

async function folder(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'gantry-build-from-'));
  made.push(root);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content, { mode: 0o755 });
  }
  return root;
}

describe('gantry build with an externally built stage', () => {
  it('uses an OCI archive as a base and copies files out of its layers', async () => {
    const stage = await folder({
      Dockerfile: 'FROM scratch\nCOPY tool /bin/tool\nCOPY data/ /data/\n',
      tool: 'tool v1\n',
      'data/a.txt': 'a\n',
      'data/sub/b.txt': 'b\n',
    });
    const main = await folder({
      Dockerfile: [
        'FROM oci-archive:stage.tar AS stage',
        'COPY extra /extra',
        'FROM scratch',
        'COPY --from=stage /bin/tool /usr/bin/tool',
        'COPY --from=stage /extra /extra',
        'COPY --from=oci-archive:stage.tar /data/ /srv/',
        '',
      ].join('\n'),
      extra: 'extra\n',
    });
    const platform = ['--platform', 'linux/amd64', '--no-cache'];
    const first = await runGantry([
      'build',
      ...platform,
      '--output',
      `oci-archive:${join(main, 'stage.tar')}`,
      stage,
    ]);
    assert.equal(first.code, 0, first.stderr);

    const layout = join(main, 'out');
    const second = await runGantry([
      'build',
      ...platform,
      '--output',
      `oci:${layout}:v1`,
      main,
    ]);
    assert.equal(second.code, 0, second.stderr);

    const bundle = join(main, 'bundle');
    execFileSync(UMOCI, ['unpack', '--rootless', '--image', `${layout}:v1`, bundle]);
    const rootfs = join(bundle, 'rootfs');
    assert.equal(await readFile(join(rootfs, 'usr/bin/tool'), 'utf8'), 'tool v1\n');
    assert.equal(await readFile(join(rootfs, 'extra'), 'utf8'), 'extra\n');
    assert.equal(await readFile(join(rootfs, 'srv/a.txt'), 'utf8'), 'a\n');
    assert.equal(await readFile(join(rootfs, 'srv/sub/b.txt'), 'utf8'), 'b\n');
  });

  it("continues the base's Env, WorkingDir and Shell in later instructions", async () => {
    const base = await folder({
      Dockerfile:
        'FROM scratch\nENV PATH=/usr/bin\nWORKDIR /srv\nSHELL ["/bin/ash", "-c"]\n',
    });
    const main = await folder({
      Dockerfile:
        'FROM oci-archive:base.tar\nENV PATH=/opt/bin:$PATH\nCOPY f rel/\nCMD run\n',
      f: 'f',
    });
    const platform = ['--platform', 'linux/amd64', '--no-cache'];
    const archive = `oci-archive:${join(main, 'base.tar')}`;
    const first = await runGantry(['build', ...platform, '--output', archive, base]);
    assert.equal(first.code, 0, first.stderr);
    const layout = join(main, 'out');
    const second = await runGantry([
      'build',
      ...platform,
      '--output',
      `oci:${layout}`,
      main,
    ]);
    assert.equal(second.code, 0, second.stderr);

    const text = execFileSync('skopeo', ['inspect', '--config', `oci:${layout}:latest`], {
      encoding: 'utf8',
    });
    const config = (JSON.parse(text) as { config: Record<string, unknown> }).config;
    assert.deepEqual(config.Env, ['PATH=/opt/bin:/usr/bin']);
    assert.deepEqual(config.Cmd, ['/bin/ash', '-c', 'run']);
    const bundle = join(main, 'bundle');
    execFileSync(UMOCI, ['unpack', '--rootless', '--image', `${layout}:latest`, bundle]);
    assert.equal(await readFile(join(bundle, 'rootfs/srv/rel/f'), 'utf8'), 'f');
  });
});
