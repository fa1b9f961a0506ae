import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PlanDiff } from '../../src/release/plan-diff.js';
import type { ReleaseRecord } from '../../src/release/record.js';
import { uniqueRepository } from '../cli/support.js';
import { runGantry } from '../harness/cli.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * `release --dry-run --from-digests`: two platform images pushed by digest
 * (as two CI machines would) are not copied or assembled; the dry-run
 * computes the index `--from-digests` will write (descriptor annotations
 * included) from their manifests alone, sends no request that writes, and
 * shows each tag as new with that digest. The release then writes exactly
 * it, and a second dry-run shows every tag staying.
 */
const TAGS = ['2.3.0', '2.3', '2', 'latest'];
const WRITE_METHODS = /^.*http > (PUT|POST|PATCH|DELETE) .*$/m;

let registry: TestRegistry;
let repository = '';
let work = '';
const files: string[] = [];

before(async () => {
  registry = (await getRegistries()).plain;
  repository = uniqueRepository(registry, 'dry-run-from-digests');
  work = makeTempDir('gantry-dry-run-from-digests-');
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
  await writeFile(
    join(work, 'Dockerfile'),
    'FROM scratch\nARG TARGETARCH\nCOPY dist/$TARGETARCH/tool /tool\n',
  );
  const release = [
    `destinations: [${repository}]`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /tool',
    'annotations:',
    '  com.example.entry: { value: per-platform, level: [descriptor] }',
  ];
  await writeFile(join(work, 'release.yaml'), release.join('\n'));
});

after(() => {
  if (work !== '') removeTempDir(work);
});

function gantry(...args: string[]) {
  return runGantry(args, { cwd: work });
}

async function dryRun(...flags: string[]) {
  const args = ['release', 'release.yaml', '--version=2.3.0', '--dry-run'];
  const run = await gantry(...flags, ...args, '--from-digests', ...files);
  assert.equal(run.code, 0, run.stderr);
  return run;
}

describe('release --dry-run --from-digests against a registry', () => {
  let planned = '';

  it('names the index it will assemble for every tag, writing nothing', async () => {
    for (const arch of ['amd64', 'arm64']) {
      const file = join(work, `${arch}.json`);
      const build = await gantry(
        'build',
        '--platform',
        `linux/${arch}`,
        '--push-by-digest',
        `${repository}-ci`,
        '--metadata-file',
        file,
        '.',
      );
      assert.equal(build.code, 0, build.stderr);
      files.push(file);
    }

    const dry = await dryRun('--json', '--debug');
    assert.match(dry.stderr, /http > (GET|HEAD) /, 'the trace is on');
    assert.doesNotMatch(dry.stderr, WRITE_METHODS);
    const { diff } = JSON.parse(dry.stdout) as { diff: PlanDiff };
    assert.deepEqual(
      diff.changes.map((change) => [change.tag, change.change]),
      TAGS.map((tag) => [tag, 'new']),
    );
    planned = diff.changes[0]!.to;
    assert.ok(diff.changes.every((change) => change.to === planned));
    const absent = await gantry('digest', `${repository}:latest`);
    assert.equal(absent.code, 3, 'no tag written');
  });

  it('the release writes that digest; a dry-run then shows it staying', async () => {
    const args = ['--from-digests', ...files, '--record', 'record.json'];
    const run = await gantry('release', 'release.yaml', '--version=2.3.0', ...args);
    assert.equal(run.code, 0, run.stderr);
    const record = JSON.parse(
      await readFile(join(work, 'record.json'), 'utf8'),
    ) as ReleaseRecord;
    assert.equal(record.images[0]!.digest, planned);
    for (const tag of TAGS) {
      const printed = await gantry('digest', `${repository}:${tag}`);
      assert.equal(printed.stdout.trim(), planned, tag);
    }

    const again = await dryRun();
    const short = `${planned.slice(0, 'sha256:'.length + 12)}…`;
    for (const tag of TAGS) {
      assert.match(again.stdout, new RegExp(` ${tag} +stays at ${short}$`, 'm'));
    }
    assert.match(again.stdout, /^plan: 0 new, 0 moving, 4 staying$/m);
  });

  it('the metadata files in another order assemble the same index', async () => {
    const args = ['release', 'release.yaml', '--version=2.3.0', '--dry-run', '--json'];
    const reversed = [...files].reverse();
    const run = await gantry(...args, '--from-digests', ...reversed);
    assert.equal(run.code, 0, run.stderr);
    const { diff } = JSON.parse(run.stdout) as { diff: PlanDiff };
    assert.ok(diff.changes.every((change) => change.change === 'stays'));
    assert.ok(diff.changes.every((change) => change.to === planned));
  });
});
