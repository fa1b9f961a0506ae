import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { sharedPath, skipUnlessShared } from '../harness/shared-dir.js';

/**
 * BuildKit's `--output type=oci` names no image in index.json. Named
 * without a tag, such an archive means its only image, as skopeo and
 * `gantry inspect` read it: `FROM`, `COPY --from` and `gantry copy` take
 * it. A layout of several images means `latest` when one is tagged so,
 * and otherwise the error lists the choices.
 */
const FIXTURE = sharedPath('fixtures', 'buildkit', 'hello-oci-multiplatform-gzip.tar');
/** The digest of the one entry of the fixture's index.json. */
const NESTED_INDEX =
  'sha256:5ac2d3ac39878329a6328eba5b2a6e5e7a06279244eea0f2ea893f76cefff26c';

const made: string[] = [];
after(async () => {
  await Promise.all(made.map((path) => rm(path, { recursive: true, force: true })));
});

async function folder(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'gantry-unnamed-'));
  made.push(root);
  for (const [path, content] of Object.entries(files)) {
    await writeFile(join(root, path), content);
  }
  return root;
}

describe('an archive whose only image has no name', {
  skip: skipUnlessShared(FIXTURE),
}, () => {
  it('is the base of FROM and the source of COPY --from', async () => {
    const context = await folder({
      Dockerfile: [
        'FROM oci-archive:bk.tar AS stage',
        'FROM scratch',
        'COPY --from=oci-archive:bk.tar /foo /from-archive',
        'COPY --from=stage /foo /from-stage',
        '',
      ].join('\n'),
    });
    await copyFile(FIXTURE, join(context, 'bk.tar'));
    const out = join(context, 'out');

    const built = await runGantry([
      'build',
      '--platform',
      'linux/arm64',
      '--no-cache',
      '--output',
      `oci:${out}:app`,
      context,
    ]);

    assert.equal(built.code, 0, built.stderr);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as {
      manifests: { annotations?: Record<string, string> }[];
    };
    assert.equal(
      index.manifests[0]?.annotations?.['org.opencontainers.image.ref.name'],
      'app',
    );
  });

  it('is what gantry copy copies, by the same digest', async () => {
    const root = await folder({});
    const copied = await runGantry([
      'copy',
      `oci-archive:${FIXTURE}`,
      `oci:${join(root, 'layout')}:y`,
    ]);
    const digest = await runGantry(['digest', `oci:${join(root, 'layout')}:y`]);

    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(digest.stdout.trim(), NESTED_INDEX);
  });

  it('needs a tag to be listed under in a layout or archive it is copied to', async () => {
    const root = await folder({});
    for (const destination of [
      `oci:${join(root, 'nt')}`,
      `oci-archive:${join(root, 'nt.tar')}`,
    ]) {
      const copied = await runGantry(['copy', `oci-archive:${FIXTURE}`, destination]);
      assert.equal(copied.code, 2, copied.stderr);
      assert.match(copied.stderr, /the image copied has no tag to be listed under/);
      assert.match(copied.stderr, /hint: name one, e\.g\. oci/);
    }
  });
});

describe('a layout of several images named without a tag', () => {
  async function layoutOf(tags: string[]): Promise<string> {
    const context = await folder({ Dockerfile: 'FROM scratch\nCOPY a /a\n', a: 'a\n' });
    const layout = join(context, 'layout');
    for (const tag of tags) {
      await writeFile(join(context, 'a'), `${tag}\n`);
      const built = await runGantry([
        'build',
        '--platform',
        'linux/amd64',
        '--output',
        `oci:${layout}:${tag}`,
        context,
      ]);
      assert.equal(built.code, 0, built.stderr);
    }
    return layout;
  }

  it('means the image tagged latest', async () => {
    const layout = await layoutOf(['one', 'latest']);
    const copied = await runGantry(['copy', `oci:${layout}`, `oci:${layout}-copy:z`]);
    const want = await runGantry(['digest', `oci:${layout}:latest`]);
    const got = await runGantry(['digest', `oci:${layout}-copy:z`]);

    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(got.stdout, want.stdout);
  });

  it('is refused, in copy and in FROM, with the choices listed', async () => {
    const layout = await layoutOf(['one', 'two']);
    const context = await folder({ Dockerfile: `FROM oci:${layout}\n` });
    const copied = await runGantry(['copy', `oci:${layout}`, `oci:${layout}-copy:z`]);
    const built = await runGantry([
      'build',
      '--platform',
      'linux/amd64',
      '--output',
      `oci:${join(context, 'out')}:x`,
      context,
    ]);

    assert.match(copied.stderr, /GANTRY_E_USAGE/);
    assert.match(copied.stderr, /name the image to copy \(it holds one, two\)/);
    assert.match(built.stderr, /GANTRY_E_NOT_FOUND/);
    assert.match(built.stderr, /it holds one, two and none is tagged latest/);
  });
});
