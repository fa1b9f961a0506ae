import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * A release record names its layouts as written (`oci:./out`), relative to
 * the folder the release ran in. Rolled back from another folder, that
 * layout is missing: rollback stops with GANTRY_E_NOT_FOUND naming the
 * path it looked at and where to run from, instead of calling the tags
 * "already gone", and the layout that does hold them is left alone.
 */
let work = '';

before(async () => {
  work = makeTempDir('gantry-rollback-elsewhere-');
  const proj = join(work, 'proj');
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(proj, 'dist', arch), { recursive: true });
    await writeFile(join(proj, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
  const file = ['destinations: [oci:./out]', 'base:', '  files:'];
  file.push('    - from: dist/$TARGETARCH/tool', '      to: /tool');
  await writeFile(join(proj, 'release.yaml'), file.join('\n'));
  const args = ['release', '--version', '1.0.0', '--record', 'rec1.json', 'release.yaml'];
  const run = await runGantry(args, { cwd: proj });
  assert.equal(run.code, 0, run.stderr);
});

after(() => removeTempDir(work));

const index = () => readFile(join(work, 'proj', 'out', 'index.json'), 'utf8');

describe('rollback run from another folder than the release', () => {
  for (const dryRun of [true, false]) {
    it(`stops at the missing layout${dryRun ? ' (dry run)' : ''}`, async () => {
      const before = await index();
      const args = ['rollback', ...(dryRun ? ['--dry-run'] : []), 'proj/rec1.json'];
      const run = await runGantry(args, { cwd: work });
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /GANTRY_E_NOT_FOUND/);
      assert.ok(run.stderr.includes(`no OCI layout at ${join(work, 'out')}`), run.stderr);
      assert.match(run.stderr, /^hint: run rollback from the folder the release ran in/m);
      assert.doesNotMatch(run.stdout, /already gone/);
      assert.equal(await index(), before);
    });
  }

  it('from the release folder, plans the removal of every tag', async () => {
    const args = ['rollback', '--dry-run', 'rec1.json'];
    const run = await runGantry(args, { cwd: join(work, 'proj') });
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /already gone/);
  });
});
