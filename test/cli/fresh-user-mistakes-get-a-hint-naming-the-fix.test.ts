import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { runInProcess } from './run-in-process.js';

/**
 * What a fresh user tripped on, each through the CLI: a local target given
 * to `build --tag`, skopeo's `docker-archive:FILE:name:tag`, a metadata file
 * given to `index create --from`, a damaged layout blob, a missing rollback
 * record, a folder that is no layout, the dry-run help, and the tag in
 * `--json copy`'s destination. Local targets only: no registry is needed.
 */

let root = '';
let layout = '';

before(async () => {
  root = makeTempDir('gantry-fresh-user-');
  const context = join(root, 'context');
  mkdirSync(context);
  writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY a.txt /\n');
  writeFileSync(join(context, 'a.txt'), 'a');
  layout = join(root, 'lay');
  const args = ['build', '--platform', 'linux/amd64', '--no-cache'];
  const built = await runInProcess([...args, '--output', `oci:${layout}:x`, context]);
  assert.equal(built.code, 0, built.stderr);
});
after(() => removeTempDir(root));

/** The `hint:` line of an error on stderr. */
function hintOf(stderr: string): string {
  return stderr.split('\n').find((line) => line.startsWith('hint: ')) ?? '';
}

/** A one-platform release file of the build context's a.txt, `head` first. */
function releaseFile(head: string): string {
  const file = join(root, 'context', `release-${randomBytes(4).toString('hex')}.yaml`);
  const body =
    'platforms: [linux/amd64]\n' +
    `destinations: ["oci:${join(root, 'released')}"]\n` +
    'base: { files: [{ from: a.txt, to: /a.txt }] }\n';
  writeFileSync(file, head + body);
  return file;
}

/** A copy of the built layout in `name`, and its layer's file (the largest blob). */
async function copyWithLayer(name: string): Promise<{ copy: string; layer: string }> {
  const copy = join(root, name);
  const copied = await runInProcess(['copy', `oci:${layout}:x`, `oci:${copy}:x`]);
  assert.equal(copied.code, 0, copied.stderr);
  const blobs = join(copy, 'blobs', 'sha256');
  const layer = readdirSync(blobs)
    .map((file) => join(blobs, file))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
  return { copy, layer };
}

describe('errors a fresh user met say what to do', () => {
  it('build --tag with a local target points to --output', async () => {
    const run = await runInProcess(['build', '--tag', 'oci:./o:1', root]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--tag "oci:\.\/o:1" names a local oci target/);
    assert.match(hintOf(run.stderr), /--output oci:DIR:TAG/);
    assert.doesNotMatch(run.stderr, /not a valid host/);
  });

  it('index create --from FILE.json points to --from-metadata', async () => {
    const file = join(root, 'amd.json');
    writeFileSync(file, '{}');
    const run = await runInProcess(['index', 'create', 'oci:x:1', '--from', file]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(
      hintOf(run.stderr),
      `hint: to assemble from a build's metadata file, write --from-metadata ${file}`,
    );
    assert.doesNotMatch(run.stderr, /registry-1\.docker\.io|ENOTFOUND/);
  });

  it('rollback of a missing record says it does not exist, exit 3', async () => {
    const missing = join(root, 'missing.json');
    const run = await runInProcess(['rollback', missing]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(
      run.stderr,
      /GANTRY_E_NOT_FOUND: release record .*missing\.json does not exist/,
    );
    assert.notEqual(hintOf(run.stderr), '');
  });

  it('a folder that is no layout gets CLI wording', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const run = await runInProcess(['copy', `oci:${empty}:x`, `oci:${root}/out:x`]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(hintOf(run.stderr), /copy or release into it first, or check the path/);
    assert.doesNotMatch(run.stderr, /open it with create/);
  });

  it('release --help says the dry run stages every image in memory', async () => {
    const run = await runInProcess(['release', '--help']);
    // Help text wraps at the terminal width: compare with spaces folded.
    assert.match(
      run.stdout.replace(/\s+/g, ' '),
      /--dry-run stage every image in memory and show the plan; write nothing/,
    );
  });

  it('a release file naming an unset version variable fails naming it', async () => {
    const file = releaseFile('version: { env: GANTRY_TEST_UNSET_VERSION }\n');
    const run = await runInProcess(['release', '--dry-run', file]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /\$GANTRY_TEST_UNSET_VERSION, which is not set/);
    assert.match(hintOf(run.stderr), /set GANTRY_TEST_UNSET_VERSION=1\.2\.3/);
  });

  it('a version with build metadata warns that no tag carries it', async () => {
    const file = releaseFile('');
    const run = await runInProcess([
      'release',
      '--dry-run',
      '--version',
      '1.2.3+build.5',
      file,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /warning: build metadata "\+build\.5" of version 1\.2\.3\+build\.5 is not part/,
    );
    assert.match(run.stdout, /release 1\.2\.3 /);
  });

  it('--json copy names the destination with its tag', async () => {
    const run = await runInProcess([
      '--json',
      'copy',
      `oci:${layout}:x`,
      `oci:${root}/lay2:y`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { destination: string; tags: string[] };
    assert.equal(result.destination, `oci:${root}/lay2:y`);
    assert.deepEqual(result.tags, ['y']);
  });

  it('docker-archive:FILE:name:tag writes FILE with that RepoTags name', async () => {
    const archive = join(root, 'd2.tar');
    const run = await runInProcess([
      'copy',
      `oci:${layout}:x`,
      `docker-archive:${archive}:myapp:1`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      readdirSync(root).filter((name) => name.startsWith('d2.tar')),
      ['d2.tar'],
    );
    const manifest = execFileSync('tar', ['-xOf', archive, 'manifest.json'], {
      encoding: 'utf8',
    });
    const entries = JSON.parse(manifest) as { RepoTags: string[] }[];
    assert.equal(entries.length, 1);
    assert.match(entries[0]!.RepoTags[0]!, /(^|\/)myapp:1$/);

    // The same form reads it back, naming the image by that name.
    const back = await runInProcess([
      'copy',
      `docker-archive:${archive}:myapp:1`,
      `oci:${root}/lay3:z`,
    ]);
    assert.equal(back.code, 0, back.stderr);
  });

  it('docker-archive:FILE.tar: with no image name after it is refused', async () => {
    const archive = join(root, 'bad.tar');
    const run = await runInProcess([
      'copy',
      `oci:${layout}:x`,
      `docker-archive:${archive}:No Name`,
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(hintOf(run.stderr), /docker-archive:FILE\[:NAME:TAG\]/);
    assert.equal(existsSync(`${archive}:No Name`), false);
  });

  it('a damaged blob in a layout is blamed on the layout, not a registry', async () => {
    const { copy, layer } = await copyWithLayer('damaged');
    // Its bytes flipped, its size kept.
    writeFileSync(
      layer,
      readFileSync(layer).map((byte) => byte ^ 0xff),
    );

    const run = await runInProcess(['copy', `oci:${copy}:x`, `oci:${copy}-out:x`]);
    assert.equal(run.code, 6, run.stderr);
    assert.match(run.stderr, /GANTRY_E_DIGEST_MISMATCH/);
    assert.match(hintOf(run.stderr), /OCI layout was changed or damaged on disk/);
    assert.doesNotMatch(run.stderr, /registry or a proxy/);
  });

  it('a missing blob in a layout has a hint', async () => {
    const { copy, layer } = await copyWithLayer('holed');
    rmSync(layer);

    const run = await runInProcess(['copy', `oci:${copy}:x`, `oci:${copy}-out:x`]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /GANTRY_E_NOT_FOUND/);
    assert.match(
      hintOf(run.stderr),
      /holds an incomplete image: copy the image into it again/,
    );
  });
});
