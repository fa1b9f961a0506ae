import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ReleaseRecord } from '../../src/release/record.js';
import type { VerifyReport } from '../../src/verify/types.js';
import { runGantry } from '../harness/cli.js';
import { seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { buildByDigest } from './release-record-support.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * A release assembled `--from-digests` from two `gantry build
 * --push-by-digest` runs (their configs carry no version label, and the
 * release never built their layers) reads itself back like any release:
 * the checks line and the summary table, 0 failures. Its record says it
 * was assembled, so `gantry verify` checks the index, its annotations,
 * platforms and tags, and passes; a tag moved to another image fails it.
 */
const VERSION = '1.0.0';
let registry: TestRegistry;
let work = '';
let repo = '';
let metadata: string[] = [];

before(async () => {
  registry = (await getRegistries()).plain;
  repo = uniqueRepository(registry, 'fd-app');
  work = makeTempDir('gantry-from-digests-verify-');
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
  await writeFile(
    join(work, 'Dockerfile'),
    'FROM scratch\nARG TARGETARCH\nCOPY dist/$TARGETARCH/tool /tool\nCMD ["/tool"]\n',
  );
  const file = [
    `destinations: [${repo}, oci:out]`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /tool',
    'labels:',
    '  com.example.team: tools',
  ].join('\n');
  await writeFile(join(work, 'release.yaml'), file);

  const ci = uniqueRepository(registry, 'fd-ci');
  metadata = await buildByDigest(work, ci, 'dg');
});

after(() => {
  if (work !== '') removeTempDir(work);
});

function gantry(args: string[]) {
  return runGantry(args, { cwd: work });
}

const VERIFY = ['verify', '--record', 'rec.json', 'release.yaml'];

describe('gantry release --from-digests, read back', () => {
  it('checks what it assembled and prints the summary table', async () => {
    const run = await gantry([
      'release',
      'release.yaml',
      '--version',
      VERSION,
      '--record',
      'rec.json',
      '--from-digests',
      ...metadata,
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stderr, /^[1-9]\d* checks, 0 failures$/m);

    const record = JSON.parse(
      await readFile(join(work, 'rec.json'), 'utf8'),
    ) as ReleaseRecord;
    assert.equal(record.fromDigests, true);
    const image = record.images[0]!;
    assert.match(run.stdout, /^IMAGE\s+PLATFORMS\s+TAGS\s+DIGEST$/m);
    assert.match(
      run.stdout,
      new RegExp(
        `^base\\s+linux/amd64,linux/arm64\\s+\\S*latest\\S*\\s+${image.digest}$`,
        'm',
      ),
    );
    assert.match(run.stdout, /2 destinations .*: 8 new, 0 moved, 0 stayed/);
  });

  it('verifies clean from its record', async () => {
    const run = await gantry(VERIFY);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^[1-9]\d* checks, 0 failures$/m);
  });

  it('fails when one tag was moved to another image, naming it', async () => {
    const client = seedingClient(registry);
    await seedImage(client, ref(`${repo}:elsewhere`));
    await client.close();
    const moved = await gantry(['tag', `${repo}:elsewhere`, '1']);
    assert.equal(moved.code, 0, moved.stderr);

    const run = await gantry(VERIFY);
    assert.equal(run.code, 7, run.stdout + run.stderr);
    const json = await gantry(['--json', ...VERIFY]);
    const report = JSON.parse(json.stdout) as VerifyReport;
    const digest = report.failures.filter((f) => f.check === 'tag-digest');
    assert.deepEqual(
      digest.map((f) => `${f.destination}:${f.tag}`),
      [`${repo}:1`],
    );
    assert.match(run.stdout, new RegExp(`${repo}:1: digest: expected sha256:`));
  });
});
