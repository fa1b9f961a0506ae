import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { InspectDocument } from '../../src/cli/inspect-view.js';
import { runGantry } from '../harness/cli.js';
import { sharedPath, skipUnlessShared } from '../harness/shared-dir.js';

/**
 * BuildKit's OCI archive, read in place (no copy first): its index.json has
 * one unnamed entry, a nested index of two platforms with an attestation
 * each. Named without a tag, the archive's only entry is shown, as skopeo
 * reads `oci-archive:FILE`; named by the entry's digest, the same.
 */
const FIXTURE = sharedPath('fixtures', 'buildkit', 'hello-oci-multiplatform-gzip.tar');
/** The digest of the one entry of the fixture's index.json. */
const NESTED_INDEX =
  'sha256:5ac2d3ac39878329a6328eba5b2a6e5e7a06279244eea0f2ea893f76cefff26c';
const ARCHIVE = `oci-archive:${FIXTURE}`;

describe('inspect of the BuildKit OCI archive', {
  skip: skipUnlessShared(FIXTURE),
}, () => {
  it('shows its nested index: two platforms, each with one attestation', async () => {
    const text = await runGantry(['inspect', ARCHIVE]);
    const json = await runGantry(['--json', 'inspect', ARCHIVE]);
    const document = JSON.parse(json.stdout) as InspectDocument;

    assert.equal(text.code, 0, text.stderr);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(document.digest, NESTED_INDEX);
    assert.match(text.stdout, /^Platforms: +2$/m);
    assert.equal(text.stdout.match(/^ {4}attestation sha256:[0-9a-f]{64}/gm)?.length, 2);
    assert.doesNotMatch(text.stdout, /unknown/);
    assert.deepEqual(document.platforms.map((p) => p.platform).sort(), [
      'linux/amd64',
      'linux/arm64',
    ]);
    assert.equal(document.attestations.length, 2);
    for (const platform of document.platforms) {
      const attests = document.attestations.filter((a) => a.for === platform.digest);
      assert.deepEqual(
        platform.attestations,
        attests.map((a) => a.digest),
      );
      assert.equal(attests.length, 1);
    }
  });

  it('named by digest, shows the same; --raw is what skopeo reads', async () => {
    const byDigest = `${ARCHIVE}@${NESTED_INDEX}`;
    const json = await runGantry(['--json', 'inspect', byDigest]);
    const raw = await runGantry(['inspect', '--raw', ARCHIVE]);
    const digest = await runGantry(['digest', ARCHIVE]);

    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as InspectDocument).digest, NESTED_INDEX);
    assert.equal(
      raw.stdout,
      execFileSync('skopeo', ['inspect', '--raw', ARCHIVE]).toString(),
    );
    assert.equal(digest.stdout, `${NESTED_INDEX}\n`);
  });

  it('--platform linux/arm64 shows that image with its config platform', async () => {
    const run = await runGantry([
      '--json',
      'inspect',
      '--platform',
      'linux/arm64',
      ARCHIVE,
    ]);
    const document = JSON.parse(run.stdout) as InspectDocument;

    assert.equal(run.code, 0, run.stderr);
    assert.equal(document.kind, 'manifest');
    assert.equal(document.platform, 'linux/arm64');
    assert.ok(document.layers.length > 0);
  });
});
