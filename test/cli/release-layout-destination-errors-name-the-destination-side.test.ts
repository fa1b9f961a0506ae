import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jsonErrorOf, runGantry } from '../harness/cli.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * A layout destination the release cannot make (a file where a folder
 * should be, a parent that takes no new folders) is the destination's
 * error, as a registry destination's is: with `--json`, the error line on
 * stderr carries `side: "destination"`.
 */
let work = '';

before(async () => {
  work = makeTempDir('gantry-release-layout-side-');
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
  const file = ['destinations: [oci:./out]', 'base:', '  files:'];
  file.push('    - from: dist/$TARGETARCH/tool', '      to: /tool');
  await writeFile(join(work, 'release.yaml'), file.join('\n'));
});

after(() => removeTempDir(work));

async function releaseTo(destination: string) {
  const args = ['--json', 'release', '--version', '1.0.0', '--to', destination];
  const run = await runGantry([...args, 'release.yaml'], { cwd: work });
  return jsonErrorOf(run.stderr);
}

describe('release errors on a layout destination name the destination side', () => {
  const cases: [string, string][] = [
    ['oci:./release.yaml/sub', 'GANTRY_E_LAYOUT'],
    ['oci:/proc/gantry-no-such/x', 'GANTRY_E_LAYOUT_CREATE'],
  ];
  for (const [destination, code] of cases) {
    it(`--to ${destination}`, async () => {
      const error = await releaseTo(destination);
      assert.equal(error.code, code);
      assert.equal(error.side, 'destination');
      assert.match(String(error.message), /^destination: /);
    });
  }
});
