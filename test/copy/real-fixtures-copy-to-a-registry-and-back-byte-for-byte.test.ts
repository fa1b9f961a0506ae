import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { copyAllTags, copyImage } from '../../src/copy/copy.js';
import type { CopyEvent } from '../../src/copy/types.js';
import { parseManifest } from '../../src/oci/manifest.js';
import { OciArchiveTarget } from '../../src/store/oci-archive.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import type { ReadTarget } from '../../src/store/target.js';
import { ARCHIVE_FILE, LAYOUT_DIR, skipUnless } from '../oci/real-images.js';
import {
  assertComplete,
  newClient,
  privateRegistry,
  repoTarget,
  tempDir,
} from './support.js';

/**
 * Images made by other tools (fixtures/README.md in the shared folder) copy to
 * a distribution 2.8 registry and back with every digest unchanged and
 * every referrer along (through the tag-schema fallback). Skipped with a
 * message where the fixtures folder is absent.
 */

const ARCHIVE = ARCHIVE_FILE;
const LAYOUT = LAYOUT_DIR;
const skipArchive = skipUnless(ARCHIVE);
const skipLayout = skipUnless(LAYOUT);

/** The tag-schema names of referrers lists, which the copy rebuilds itself. */
const isReferrersList = async (target: ReadTarget, tag: string) =>
  /^sha256-[a-f0-9]{64}$/.test(tag) &&
  (await target.resolve(tag)).mediaType.endsWith('index.v1+json');

describe('real images copy to a registry and back byte for byte', () => {
  test('BuildKit OCI archive: nested index with attestations', {
    skip: skipArchive,
  }, async () => {
    const client = newClient();
    const registry = await privateRegistry();
    const archive = await OciArchiveTarget.open(ARCHIVE, { readOnly: true });
    // index.json names one entry, without a name: the nested index.
    const outer = (await archive.readIndex()).entries[0]!.descriptor;
    const index = parseManifest(await archive.fetchBytes(outer));
    assert.equal(index.kind, 'index');

    const remote = repoTarget(client, registry.host, 'fixtures/buildkit');
    const there = await copyImage(archive, `${outer.digest}`, remote, ['hello']);
    assert.equal(`${there.digest}`, `${outer.digest}`);
    const dir = await tempDir();
    const back = await OciLayoutTarget.open(join(dir, 'back'), { create: true });
    const again = await copyImage(remote, 'hello', back, ['hello']);
    assert.equal(`${again.digest}`, `${outer.digest}`);

    const original = await assertComplete(archive, outer);
    assert.deepEqual(await assertComplete(remote, outer), original);
    assert.deepEqual(await assertComplete(back, outer), original);
    assert.equal(original.manifests.length, 5);
    await archive.close();
  });

  test('buildx layout: every named entry, its referrers, the loop', {
    skip: skipLayout,
  }, async () => {
    const client = newClient();
    const registry = await privateRegistry();
    const layout = await OciLayoutTarget.open(LAYOUT, { readOnly: true });
    const remote = repoTarget(client, registry.host, 'fixtures/buildx');
    const events: CopyEvent[] = [];
    await copyAllTags(layout, remote, { onEvent: (e) => events.push(e) });

    const dir = await tempDir();
    const back = await OciLayoutTarget.open(join(dir, 'back'), { create: true });
    await copyAllTags(remote, back);

    const names: string[] = [];
    let referrers = 0;
    for (const tag of await layout.tags()) {
      if (await isReferrersList(layout, tag)) continue;
      names.push(tag);
      const root = await layout.resolve(tag);
      assert.equal(`${(await remote.resolve(tag)).digest}`, `${root.digest}`, tag);
      assert.equal(`${(await back.resolve(tag)).digest}`, `${root.digest}`, tag);
      const original = await assertComplete(layout, root);
      assert.deepEqual(await assertComplete(back, root), original, tag);
      referrers += await sameReferrers(layout, [remote, back], original.manifests);
    }
    assert.ok(names.includes('loop') && names.includes('a-docker-oci'));
    assert.ok(referrers >= 8, `only ${referrers} referrers checked`);
    assert.ok(events.some((e) => e.type === 'plan' && e.referrers > 0));
  });
});

/** Whatever the source lists as referrers of a manifest, each copy lists too. */
async function sameReferrers(
  source: ReadTarget,
  copies: ReadTarget[],
  digests: string[],
): Promise<number> {
  let checked = 0;
  for (const text of digests) {
    const subject = (await source.resolve(text)).digest;
    const wanted = (await source.referrers(subject)).map((d) => `${d.digest}`).sort();
    // `mirror` is tagged at its own sha256-<hex> name: a registry reports
    // that tag as a broken referrers list, so only subjects with referrers.
    if (wanted.length === 0) continue;
    checked += wanted.length;
    for (const copy of copies) {
      const listed = (await copy.referrers(subject)).map((d) => `${d.digest}`);
      for (const digest of wanted) {
        assert.ok(listed.includes(digest), `${copy.description}: ${digest} → ${text}`);
      }
    }
  }
  return checked;
}
