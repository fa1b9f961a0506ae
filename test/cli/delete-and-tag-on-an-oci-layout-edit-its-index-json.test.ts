import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import { runGantry } from '../harness/cli.js';
import { type Image, makeImage, pushImage } from '../store/support.js';

/**
 * `gantry tag` and `gantry delete` take `oci:DIR:TAG` as skopeo users write
 * it (a relative folder with a `/` included): tag adds names to the
 * layout's index.json, delete removes one name and keeps the blobs. Forms
 * they cannot act on (an archive, a layout without a tag, a delete by
 * digest) are refused up front with exit 2, naming the command and the
 * form, instead of being read as a registry host.
 */
const SKOPEO = '/usr/bin/skopeo';
const execute = promisify(execFile);
let work = '';
let image: Image;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'gantry-layout-tag-'));
  const layout = await OciLayoutTarget.open(join(work, 'proj', 'out'), { create: true });
  image = makeImage('one');
  await pushImage(layout, image);
  await layout.tag(image.descriptor, '1.0.0');
});

after(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

function gantry(...args: string[]) {
  return runGantry(args, { cwd: work });
}

async function names(): Promise<string[]> {
  const text = await readFile(join(work, 'proj', 'out', 'index.json'), 'utf8');
  const list = (JSON.parse(text) as { manifests: { annotations?: object }[] }).manifests;
  return list.map((e) => Object.values(e.annotations ?? {}).join()).sort();
}

function hintOf(stderr: string): string {
  return stderr.split('\n').find((line) => line.startsWith('hint: ')) ?? '';
}

describe('tag and delete on an OCI layout', () => {
  it('tag oci:proj/out:1.0.0 adds names to index.json', async () => {
    const run = await gantry('tag', 'oci:proj/out:1.0.0', '1.0', 'latest');
    assert.equal(run.code, 0, run.stderr);
    const digest = image.descriptor.digest.toString();
    assert.equal(
      run.stdout,
      `oci:proj/out:1.0@${digest}\noci:proj/out:latest@${digest}\n`,
    );
    assert.deepEqual(await names(), ['1.0', '1.0.0', 'latest']);

    const json = await gantry('--json', 'tag', `oci:proj/out@${digest}`, 'edge');
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout).tagged, [
      { reference: 'oci:proj/out:edge', digest },
    ]);
  });

  it('skopeo reads a name gantry tag added', {
    skip: existsSync(SKOPEO) ? false : `${SKOPEO} is absent`,
  }, async () => {
    const ref = `oci:${join(work, 'proj', 'out')}:latest`;
    const { stdout } = await execute(SKOPEO, ['inspect', '--raw', ref], {
      encoding: 'buffer',
    });
    const digest = `sha256:${createHash('sha256').update(stdout).digest('hex')}`;
    assert.equal(digest, image.descriptor.digest.toString());
  });

  it('delete oci:proj/out:1.0 removes that name and nothing else', async () => {
    const run = await gantry('delete', 'oci:proj/out:1.0');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'deleted oci:proj/out:1.0\n');
    assert.match(run.stderr, /index\.json entry of 1\.0 .*no garbage collection/s);
    assert.deepEqual(await names(), ['1.0.0', 'edge', 'latest']);
    const blob = join(
      work,
      'proj',
      'out',
      'blobs',
      ...image.layer.descriptor.digest.toString().split(':'),
    );
    assert.ok(existsSync(blob));

    const again = await gantry('delete', 'oci:proj/out:1.0');
    assert.equal(again.code, 3, again.stderr);
    assert.match(hintOf(again.stderr), /gantry tags oci:.*lists the tags/);
  });

  const refusals: [string[], RegExp, RegExp][] = [
    [
      ['delete', `oci:proj/out@sha256:${'a'.repeat(64)}`],
      /gantry delete oci:proj\/out@sha256:a+: a layout removes tags/,
      /gantry tags oci:proj\/out lists its tags/,
    ],
    [['delete', 'oci:proj/out'], /gantry delete oci:proj\/out: /, /gantry tags/],
    [
      ['delete', 'oci-archive:out.tar:1.0'],
      /gantry delete works on registries and OCI layout folders .*"oci-archive:out/,
      /copy the images to keep/,
    ],
    [
      ['tag', 'docker-archive:out.tar:app:1', '2'],
      /gantry tag works on registries and OCI layout folders/,
      /gantry copy SRC oci:DIR:TAG/,
    ],
    [['tag', 'oci:proj/out', '2'], /gantry tag oci:proj\/out: name the image/, /digest/],
    [['tag', 'oci:proj/out:1.0.0', 'a/b'], /"a\/b" is not a valid tag name/, /1-128/],
  ];
  for (const [args, message, hint] of refusals) {
    it(`refuses gantry ${args.join(' ')} with exit 2 and a hint`, async () => {
      const before = await names();
      const run = await gantry(...args);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /GANTRY_E_USAGE/);
      assert.match(run.stderr, message);
      assert.match(hintOf(run.stderr), hint);
      assert.doesNotMatch(run.stderr, /not a valid host|lowercase/);
      assert.deepEqual(await names(), before);
    });
  }
});
