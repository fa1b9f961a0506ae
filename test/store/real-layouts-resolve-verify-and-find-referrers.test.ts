import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Descriptor } from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';
import { type ImageIndex, type Manifest, parseManifest } from '../../src/oci/manifest.js';
import { isIndexType, isManifestType } from '../../src/oci/mediatype.js';
import { OciArchiveTarget } from '../../src/store/oci-archive.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import type { ReadTarget } from '../../src/store/target.js';
import { ARCHIVE_FILE, LAYOUT_DIR, skipUnless } from '../oci/real-images.js';

// The real layout written by buildx and regctl, and the OCI archive written
// by BuildKit (../shared/fixtures, read-only): every name resolves, every
// manifest read has its digest, referrers are found by subject and by the
// tag schema, and the `loop` index (its subject is one of its own children)
// does not make a lookup go round.

/** Every manifest and index reachable from `roots`, each read once. */
async function walk(target: ReadTarget, roots: Descriptor[]): Promise<Manifest[]> {
  const seen = new Map<string, Manifest>();
  const queue = [...roots];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (seen.has(`${next.digest}`) || !isManifestType(next.mediaType)) continue;
    if (!(await target.exists(next))) continue;
    const bytes = await target.fetchBytes(next);
    const manifest = parseManifest(bytes, { expectedDigest: next.digest });
    assert.equal(Digest.of(bytes).toString(), `${next.digest}`);
    seen.set(`${next.digest}`, manifest);
    if (manifest.kind === 'index') queue.push(...manifest.manifests);
  }
  return [...seen.values()];
}

const layoutSkip = skipUnless(LAYOUT_DIR);

test('every name of the buildx layout resolves to the entry index.json gives', {
  skip: layoutSkip,
}, async () => {
  const layout = await OciLayoutTarget.open(LAYOUT_DIR, { readOnly: true });
  const index = JSON.parse(await readFile(join(LAYOUT_DIR, 'index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const names = index.manifests.flatMap((m) => {
    const name = m.annotations?.['org.opencontainers.image.ref.name'];
    return name === undefined ? [] : [[name, m.digest] as const];
  });

  assert.deepEqual(
    await layout.tags(),
    names.map(([name]) => name),
  );
  for (const [name, digest] of names) {
    assert.equal((await layout.resolve(name)).digest.toString(), digest);
  }
  assert.ok(names.some(([name]) => name === 'loop'));
});

test('every manifest reachable in the buildx layout reads with its digest', {
  skip: layoutSkip,
}, async () => {
  const before = await readFile(join(LAYOUT_DIR, 'index.json'));
  const layout = await OciLayoutTarget.open(LAYOUT_DIR, { readOnly: true });
  const roots = (await layout.readIndex()).entries.map((e) => e.descriptor);
  const manifests = await walk(layout, roots);

  assert.ok(manifests.length > roots.length);
  assert.deepEqual(await readFile(join(LAYOUT_DIR, 'index.json')), before);
});

test('referrers in the buildx layout: by subject, by tag schema, and the loop', {
  skip: layoutSkip,
}, async () => {
  const layout = await OciLayoutTarget.open(LAYOUT_DIR, { readOnly: true });
  const roots = (await layout.readIndex()).entries.map((e) => e.descriptor);
  const manifests = await walk(layout, roots);
  const digestsOf = async (subject: Digest) =>
    new Set((await layout.referrers(subject)).map((d) => `${d.digest}`));

  // Every manifest that names a subject is among that subject's referrers.
  const withSubject = manifests.filter((m) => m.subject !== undefined);
  assert.ok(withSubject.length >= 5);
  for (const manifest of withSubject) {
    const found = await digestsOf(manifest.subject!.digest);
    assert.ok(found.has(`${manifest.digest}`), `${manifest.digest} for its subject`);
  }

  // Every entry of a tag-schema index is a referrer of the digest it names.
  let fallbacks = 0;
  for (const name of await layout.tags()) {
    const match = /^sha256-([0-9a-f]{64})$/.exec(name);
    if (match === null) continue;
    const fallback = await layout.resolve(name);
    if (!isIndexType(fallback.mediaType)) continue;
    const index = parseManifest(await layout.fetchBytes(fallback));
    const found = await digestsOf(Digest.parse(`sha256:${match[1]}`));
    for (const entry of (index as ImageIndex).manifests) {
      assert.ok(found.has(`${entry.digest}`), `${entry.digest} from ${name}`);
    }
    fallbacks++;
  }
  assert.ok(fallbacks >= 4);

  // `loop` refers to `child`, which is one of its own entries.
  const loop = await layout.resolve('loop');
  const child = await layout.resolve('child');
  assert.ok((await digestsOf(child.digest)).has(`${loop.digest}`));
  await layout.referrers(loop.digest);
  // `mirror` is its own tag-schema entry, a manifest rather than an index.
  const mirror = await layout.resolve('mirror');
  assert.ok(Array.isArray(await layout.referrers(mirror.digest)));
});

test('the BuildKit archive: its index and every platform image read verified', {
  skip: skipUnless(ARCHIVE_FILE),
}, async () => {
  const archive = await OciArchiveTarget.open(ARCHIVE_FILE, { readOnly: true });
  try {
    assert.deepEqual(await archive.tags(), []);
    const top = JSON.parse(
      new TextDecoder().decode(await archive.fetchBytes(await rootOf(archive))),
    ) as { manifests: unknown[] };
    assert.equal(top.manifests.length, 4);

    const manifests = await walk(archive, [await rootOf(archive)]);
    // The index, two platform images and their two attestation manifests.
    assert.equal(manifests.length, 5);
    for (const manifest of manifests) {
      const resolved = await archive.resolve(`${manifest.digest}`);
      assert.equal(resolved.digest.toString(), `${manifest.digest}`);
      assert.equal(resolved.size, manifest.size);
      assert.deepEqual(await archive.referrers(manifest.digest), []);
    }
  } finally {
    await archive.close();
  }
});

/** The one entry of the archive's index.json (BuildKit names none). */
async function rootOf(archive: OciArchiveTarget): Promise<Descriptor> {
  const { entries } = await archive.readIndex();
  assert.equal(entries.length, 1);
  return entries[0]!.descriptor;
}
