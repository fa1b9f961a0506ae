import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ExitCode } from '../../src/cli/exit.js';
import { ref, seedingClient, uniqueRepository } from '../cli/support.js';
import { runGantry } from '../harness/cli.js';
import { seedImage } from '../harness/images.js';
import { getRegistries } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * TLS is verified by default: `gantry copy` from a registry whose
 * certificate comes from a CA the machine does not trust fails with the
 * network exit code and says how to trust it; with `--ca-file` the same
 * copy goes through.
 */

const { tls } = await getRegistries();
const source = uniqueRepository(tls, 'faults-tls');
const seeded = await seedImage(seedingClient(tls), ref(`${source}:1`));
const dir = await makeTempDir('gantry-faults-tls-');
after(() => removeTempDir(dir));

test('copy from a registry with an unknown CA fails, naming --ca-file', async () => {
  const run = await runGantry(['copy', `${source}:1`, `oci:${dir}/untrusted:1`]);

  assert.equal(run.code, ExitCode.Network, run.stderr);
  assert.ok(run.stderr.includes(`--ca-file ${tls.host}=`), run.stderr);
  assert.match(run.stderr, /GANTRY_E_TLS|TLS|certificate|HTTPS/);
});

test('the same copy with --ca-file goes through', async () => {
  assert.ok(tls.caFile !== undefined);
  const run = await runGantry([
    '--ca-file',
    `${tls.host}=${tls.caFile}`,
    'copy',
    `${source}:1`,
    `oci:${dir}/trusted:1`,
  ]);

  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.stdout.includes(seeded.digest), run.stdout);
});
