import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import { runGantry } from '../harness/cli.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { type Image, makeImage, pushImage } from '../store/support.js';

/**
 * Every name in a layout can be named again on the command line. skopeo
 * writes `oci:out:example.com/app:1.0` as the ref.name `example.com/app:1.0`
 * in `out` (its path ends at the first ":"), and gantry's tags, digest,
 * inspect, tag, copy and delete read that form the same way. A new name
 * gantry writes follows the registry tag rule, so a name it could not
 * address afterwards is refused before anything is written.
 */
const SKOPEO = '/usr/bin/skopeo';
const execute = promisify(execFile);
const NAME = 'example.com/app:1.0';
let work = '';
let image: Image;

before(async () => {
  work = makeTempDir('gantry-layout-names-');
  const layout = await OciLayoutTarget.open(join(work, 'out'), { create: true });
  image = makeImage('names');
  await pushImage(layout, image);
  await layout.tag(image.descriptor, '1.0.0');
  await execute(SKOPEO, ['copy', '--quiet', 'oci:out:1.0.0', `oci:out:${NAME}`], {
    cwd: work,
  });
});

after(() => removeTempDir(work));

function gantry(...args: string[]) {
  return runGantry(args, { cwd: work });
}

async function names(layout = 'out'): Promise<string[]> {
  const text = await readFile(join(work, layout, 'index.json'), 'utf8');
  const list = (JSON.parse(text) as { manifests: { annotations?: object }[] }).manifests;
  return list.map((e) => Object.values(e.annotations ?? {}).join()).sort();
}

describe('layout names with colons, as skopeo writes them', () => {
  it('tags lists the name and digest and inspect read it', async () => {
    const digest = image.descriptor.digest.toString();
    assert.match((await gantry('tags', 'oci:out')).stdout, /^example\.com\/app:1\.0$/m);
    const read = await gantry('digest', `oci:out:${NAME}`);
    assert.equal(read.code, 0, read.stderr);
    assert.equal(read.stdout.trim(), digest);
    const inspect = await gantry('--json', 'inspect', `oci:out:${NAME}`);
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.match(inspect.stdout, new RegExp(digest));
  });

  it('tag and copy take it as the source, and skopeo reads the copy', async () => {
    const tag = await gantry('tag', `oci:out:${NAME}`, 'from-skopeo');
    assert.equal(tag.code, 0, tag.stderr);
    assert.ok((await names()).includes('from-skopeo'));

    const copy = await gantry('copy', `oci:out:${NAME}`, 'oci:out:example.com/app:2.0');
    assert.equal(copy.code, 0, copy.stderr);
    assert.ok((await names()).includes('example.com/app:2.0'));
    const { stdout } = await execute(SKOPEO, ['inspect', 'oci:out:example.com/app:2.0'], {
      cwd: work,
    });
    assert.equal(JSON.parse(stdout).Digest, image.descriptor.digest.toString());
  });

  it('delete removes that one name', async () => {
    const run = await gantry('delete', `oci:out:${NAME}`);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!(await names()).includes(NAME));
    assert.ok((await names()).includes('1.0.0'));
  });
});

describe('new names gantry writes in a layout', () => {
  const bad = ['a'.repeat(200), 'Upper_x+y', '.hidden', 'a/b'];
  for (const name of bad) {
    it(`tag refuses "${name.slice(0, 20)}" with exit 2, writing nothing`, async () => {
      const before = await names();
      const run = await gantry('tag', 'oci:out:1.0.0', name);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /is not a valid tag name/);
      assert.match(run.stderr, /^hint: a tag is 1-128 of letters/m);
      assert.deepEqual(await names(), before);
    });
  }

  it('delete of a name that is no tag says so and hints at the tags', async () => {
    const run = await gantry('delete', 'oci:out:-bad');
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      /gantry delete oci:out:-bad: "-bad" is not a valid tag name/,
    );
    assert.match(run.stderr, /^hint: .*gantry tags oci:out lists the tags$/m);
  });
});
