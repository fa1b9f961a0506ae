import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { jsonErrorOf, runGantry } from '../harness/cli.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * A record keeps its `oci:` destinations as written, relative to where the
 * release ran. `gantry verify` run from another folder finds no layout
 * there and says so, on the destination side, with the folder it looked
 * in and where to run it instead. Local only.
 */

let root = '';
let project = '';

before(() => {
  root = makeTempDir('gantry-verify-elsewhere-');
  project = join(root, 'project');
  for (const arch of ['amd64', 'arm64']) {
    mkdirSync(join(project, 'dist', arch), { recursive: true });
    writeFileSync(join(project, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
  const file = ['destinations: [oci:./out]', 'base:', '  files:'];
  file.push('    - from: dist/$TARGETARCH/tool', '      to: /tool');
  writeFileSync(join(project, 'release.yaml'), `${file.join('\n')}\n`);
});
after(() => removeTempDir(root));

test('verify from another folder names the layout it did not find', async () => {
  const release = await runGantry(['release', '--version', '1.0.0', 'release.yaml'], {
    cwd: project,
  });
  assert.equal(release.code, 0, release.stderr);
  const here = await runGantry(
    ['verify', '--record', 'gantry-release-record.json', 'release.yaml'],
    { cwd: project },
  );
  assert.equal(here.code, 0, here.stderr);

  const args = ['--json', 'verify', '--record'];
  const elsewhere = await runGantry(
    [...args, 'project/gantry-release-record.json', 'project/release.yaml'],
    { cwd: root },
  );
  assert.equal(elsewhere.code, 3, elsewhere.stderr);
  const error = jsonErrorOf(elsewhere.stderr);
  assert.equal(error.code, 'GANTRY_E_NOT_FOUND');
  assert.equal(error.side, 'destination');
  assert.match(error.message, /^destination oci:\.\/out: no OCI layout at /);
  assert.ok(error.hint!.includes(`working directory (${root})`), error.hint);
  assert.match(error.hint!, /run gantry verify from the folder the release ran in/);
});
