import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createIndex, createManifest } from '../../src/oci/create.js';
import type { ReleaseRecord } from '../../src/release/record.js';
import type { Failure, VerifyReport } from '../../src/verify/types.js';
import { seedImage } from '../harness/images.js';
import { type RunningRegistry, startRegistry } from '../harness/registries.js';
import { removeTempDir } from '../harness/temp-dir.js';
import { runInProcess } from './run-in-process.js';
import { ref, seedingClient } from './support.js';
import { REPOSITORY, releaseFolder, Tamper, VERSION } from './verify-support.js';

/**
 * `gantry verify` of a release published to two real registries: the
 * undamaged release passes with exit 0; then each damage users met in
 * real releases is written directly into a registry (or the record) and
 * verify names the tag, the destination and what differs, exit 7; at the
 * end every damage is reported in one run.
 */

let first: RunningRegistry;
let second: RunningRegistry;
let work = '';
let record: ReleaseRecord;
let one: Tamper;
let two: Tamper;

before(async () => {
  [first, second] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
  work = await releaseFolder(first, second);
  const run = await runInProcess([
    'release',
    `--version=${VERSION}`,
    '--record',
    join(work, 'record.json'),
    join(work, 'release.yaml'),
  ]);
  assert.equal(run.code, 0, run.stderr);
  record = JSON.parse(await readFile(join(work, 'record.json'), 'utf8'));
  one = new Tamper(seedingClient(first), first.host);
  two = new Tamper(seedingClient(second), second.host);
});

after(async () => {
  await Promise.all([one?.client.close(), two?.client.close()]);
  await Promise.all([first?.stop(), second?.stop()]);
  if (work !== '') removeTempDir(work);
});

async function verify(recordFile = 'record.json') {
  const args = ['--record', join(work, recordFile), join(work, 'release.yaml')];
  const text = await runInProcess(['verify', ...args]);
  const json = await runInProcess(['--json', 'verify', ...args]);
  return { text, report: JSON.parse(json.stdout) as VerifyReport, code: json.code };
}

function destination(registry: RunningRegistry): string {
  return `${registry.host}/${REPOSITORY}`;
}

/** The failures of one check at one tag and destination. */
function failed(
  report: VerifyReport,
  check: string,
  tag: string,
  where: string,
): Failure[] {
  return report.failures.filter(
    (f) => f.check === check && f.tag === tag && f.destination.includes(where),
  );
}

/**
 * A readable line names the tag at its destination and what differs;
 * `place` ends with ": " where it is `destination:tag`, so `:1` is not `:1.4`.
 */
function assertLine(stdout: string, check: string, place: string, differs: RegExp) {
  const line = stdout
    .split('\n')
    .find((l) => l.startsWith(`FAIL ${check} `) && l.includes(place));
  assert.ok(line !== undefined, `no ${check} line for ${place} in:\n${stdout}`);
  assert.match(line, differs);
}

function tagsOf(image: string): string[] {
  return [...new Set(record.tags.filter((t) => t.image === image).map((t) => t.tag))];
}

describe('gantry verify on a published release', () => {
  it('passes an undamaged release: exit 0 and "N checks, 0 failures"', async () => {
    const { text, report, code } = await verify();
    assert.equal(code, 0, text.stdout);
    assert.equal(text.code, 0);
    assert.deepEqual(report.failures, []);
    assert.ok(report.checks > record.tags.length * 2, String(report.checks));
    assert.match(text.stdout, new RegExp(`^${report.checks} checks, 0 failures$`, 'm'));
  });

  it('a retag to one platform in Docker v2 types: types, platforms, digest', async () => {
    const tag = tagsOf('base')[1]!;
    const docker = await one.dockerManifest(tag, 'amd64');
    await one.put(tag, docker);

    const { text, report, code } = await verify();
    assert.equal(code, 7);
    assert.equal(text.code, 7);
    const at = `${destination(first)}:${tag}: `;
    for (const check of ['tag-digest', 'media-type', 'docker-media-type', 'platforms']) {
      assert.equal(failed(report, check, tag, first.host).length, 1, check);
    }
    assertLine(text.stdout, 'docker-media-type', at, /expected OCI only, got .*docker/);
    assertLine(
      text.stdout,
      'platforms',
      at,
      /linux\/amd64, linux\/arm64, got linux\/amd64$/,
    );
    assertLine(text.stdout, 'tag-diverges', ` ${tag} differs`, new RegExp(second.host));
  });

  it('index annotations missing: each key named', async () => {
    const tag = tagsOf('debian12')[1]!;
    const index = await one.get(tag);
    assert.equal(index.kind, 'index');
    const manifests = index.kind === 'index' ? index.manifests : [];
    await one.put(tag, createIndex({ manifests }));

    const { text, report } = await verify();
    const missing = failed(report, 'annotation', tag, first.host);
    assert.ok(missing.length > 0);
    assert.ok(
      missing.some((f) => f.message.includes('org.opencontainers.image.version')),
    );
    assertLine(
      text.stdout,
      'annotation',
      `${destination(first)}:${tag}: annotation org.opencontainers.image.version`,
      new RegExp(`expected ${tagsOf('debian12')[0]}, got \\(none\\)`),
    );
  });

  it('an index turned into a Docker manifest list: digest and types', async () => {
    const tag = tagsOf('base')[2]!;
    const list = await one.dockerList(tag);
    await one.put(tag, list);

    const { text, report } = await verify();
    const expected = record.images.find((i) => i.name === 'base')!.digest;
    const [digest] = failed(report, 'tag-digest', tag, first.host);
    assert.equal(digest?.expected, expected);
    assert.equal(digest?.actual, list.digest.toString());
    assertLine(
      text.stdout,
      'media-type',
      `${destination(first)}:${tag}: `,
      /expected application\/vnd\.oci\.image\.index\.v1\+json, got .*manifest\.list/,
    );
  });

  it('an attestation pointing at a digest the index does not hold', async () => {
    const tag = tagsOf('debian12')[2]!;
    const seeded = await seedImage(one.client, ref(`${destination(first)}:stray`), {
      attestations: true,
    });
    const strayIndex = await one.get(seeded.digest);
    const index = await one.get(tag);
    assert.ok(strayIndex.kind === 'index' && index.kind === 'index');
    const attestation = strayIndex.manifests.find((m) => m.platform?.os === 'unknown')!;
    await one.put(
      tag,
      createIndex({
        manifests: [...index.manifests, attestation],
        ...(index.annotations && { annotations: index.annotations }),
      }),
    );

    const { text, report } = await verify();
    const [failure] = failed(report, 'attestation-subject', tag, first.host);
    assert.equal(failure?.actual, seeded.attestations[0]!.for);
    assertLine(
      text.stdout,
      'attestation-subject',
      `${destination(first)}:${tag}: `,
      new RegExp(`refers to no platform manifest .* got ${seeded.attestations[0]!.for}`),
    );
  });

  it('a variant that lost its version tag', async () => {
    const tags = tagsOf('alpine3.21');
    const version = tags[0]!;
    const digest = record.images.find((i) => i.name === 'alpine3.21')!.digest;
    const index = await one.get(digest);
    await one.client.deleteManifest(one.at(digest));
    for (const tag of tags.slice(1)) await one.put(tag, index);

    const { text, report } = await verify();
    assert.equal(failed(report, 'tag-missing', version, first.host).length, 1);
    assert.equal(failed(report, 'tag-missing', tags[1]!, first.host).length, 0);
    assertLine(
      text.stdout,
      'tag-missing',
      `${destination(first)}:${version}: `,
      new RegExp(`tag missing, expected ${digest}`),
    );
  });

  it('the second registry left on an older digest', async () => {
    const tag = 'latest';
    const older = await seedImage(two.client, two.at(tag));

    const { text, report } = await verify();
    const [failure] = failed(report, 'tag-digest', tag, second.host);
    assert.equal(failure?.actual, older.digest);
    assertLine(
      text.stdout,
      'tag-diverges',
      `tag ${tag} differs`,
      new RegExp(`${second.host}/${REPOSITORY}=${older.digest}`),
    );
  });

  it('a variant platform that lost a base layer', async () => {
    const tag = tagsOf('debian12')[0]!;
    const index = await two.get(tag);
    assert.equal(index.kind, 'index');
    const entries = index.kind === 'index' ? index.manifests : [];
    const amd64 = entries.find((m) => m.platform?.architecture === 'amd64')!;
    const image = await two.get(amd64.digest.toString());
    assert.equal(image.kind, 'manifest');
    const layers = image.kind === 'manifest' ? image.layers : [];
    const thinner = createManifest({
      config: image.kind === 'manifest' ? image.config : amd64,
      layers: layers.slice(1),
    });
    await two.put(thinner.digest.toString(), thinner);
    const manifests = entries.map((m) =>
      m === amd64 ? { ...m, digest: thinner.digest, size: thinner.size } : m,
    );
    await two.put(
      tag,
      createIndex({
        manifests,
        ...(index.annotations && { annotations: index.annotations }),
      }),
    );

    const { text, report } = await verify();
    const [failure] = failed(report, 'base-layers', tag, second.host);
    assert.equal(
      failure?.actual,
      layers
        .slice(1, -1)
        .map((l) => l.digest)
        .join(', '),
    );
    assertLine(
      text.stdout,
      'base-layers',
      `${destination(second)}:${tag}: linux/amd64 lower layers are not the base image's`,
      new RegExp(`expected ${layers[0]!.digest}, `),
    );
  });

  it('a tampered record with the base written first: order', async () => {
    const tampered: ReleaseRecord = structuredClone(record);
    const firstDestination = destination(first);
    const ours = tampered.tags.filter((t) => t.destination === firstDestination);
    const count = ours.length;
    for (const tag of ours) {
      tag.sequence = tag.image === 'base' ? tag.sequence! - count : tag.sequence;
    }
    await writeFile(join(work, 'tampered.json'), JSON.stringify(tampered));

    const { text, report } = await verify('tampered.json');
    const order = report.failures.filter((f) => f.check === 'order');
    assert.equal(order.length, 1);
    assert.equal(order[0]!.destination, firstDestination);
    assertLine(
      text.stdout,
      'order',
      firstDestination,
      /expected alpine3\.21 → debian12 → base/,
    );
  });

  it('a planned tag dropped from the record: named, and still resolved', async () => {
    const tag = tagsOf('alpine3.21')[1]!;
    const where = destination(second);
    const dropped: ReleaseRecord = structuredClone(record);
    dropped.tags = dropped.tags.filter(
      (t) => !(t.destination === where && t.tag === tag),
    );
    assert.equal(dropped.tags.length, record.tags.length - 1);
    await writeFile(join(work, 'dropped.json'), JSON.stringify(dropped));
    const older = await seedImage(two.client, two.at(tag));

    const { text, report, code } = await verify('dropped.json');
    assert.equal(code, 7);
    const [missing, ...more] = failed(report, 'tag-missing', tag, second.host);
    assert.equal(more.length, 0);
    assert.equal(missing?.destination, where);
    assertLine(
      text.stdout,
      'tag-missing',
      `${where}:${tag}: `,
      /planned but not in the record/,
    );
    const [digest] = failed(report, 'tag-digest', tag, second.host);
    assert.equal(digest?.actual, older.digest);
    assert.equal(
      digest?.expected,
      record.images.find((i) => i.name === 'alpine3.21')!.digest,
    );
  });

  it('a deleted config blob: blob-missing on every tag, other checks run', async () => {
    const tags = tagsOf('alpine3.21');
    const tag = tags[0]!;
    const where = destination(second);
    const before = (await verify()).report;
    const index = await two.get(tag);
    assert.ok(index.kind === 'index');
    const arm64 = index.manifests.find((m) => m.platform?.architecture === 'arm64')!;
    const image = await two.get(arm64.digest.toString());
    assert.ok(image.kind === 'manifest');
    const config = image.config;
    const url = `${second.url}/v2/${REPOSITORY}/blobs/${config.digest}`;
    const deleted = await fetch(url, { method: 'DELETE' });
    assert.equal(deleted.status, 202);
    await two.put(tag, createIndex({ manifests: index.manifests }));

    const { text, report } = await verify();
    const [missing, ...more] = failed(report, 'blob-missing', tag, second.host);
    assert.equal(more.length, 0);
    assert.equal(missing?.expected, `${config.size} bytes`);
    assert.equal(missing?.actual, 'absent');
    assertLine(
      text.stdout,
      'blob-missing',
      `${where}:${tag}: config ${config.digest} of linux/arm64`,
      new RegExp(`expected ${config.size} bytes, got absent`),
    );
    // Every tag on the recorded digest names the absent blob too.
    const unchanged = tags.filter((t) => t !== tag && t !== tags[1]);
    assert.ok(unchanged.length > 0);
    for (const other of unchanged) {
      assert.equal(failed(report, 'blob-missing', other, second.host).length, 1, other);
    }
    // The image's other checks still ran: annotations, platforms.
    assert.ok(failed(report, 'annotation', tag, second.host).length > 0);
    assert.equal(failed(report, 'platforms', tag, second.host).length, 0);
    assert.equal(failed(report, 'unreadable', tag, second.host).length, 0);
    assert.ok(report.checks >= before.checks, `${report.checks} < ${before.checks}`);
  });

  it('a deleted child manifest: blob-missing once per tag reaching it', async () => {
    const tags = tagsOf('alpine3.21').slice(1);
    const where = destination(first);
    const index = await one.get(tags[0]!);
    assert.ok(index.kind === 'index');
    const amd64 = index.manifests.find((m) => m.platform?.architecture === 'amd64')!;
    await one.client.deleteManifest(one.at(amd64.digest.toString()));

    const { text, report } = await verify();
    for (const tag of tags) {
      const missing = failed(report, 'blob-missing', tag, first.host);
      assert.equal(missing.length, 1, tag);
      assert.equal(missing[0]!.expected, `${amd64.size} bytes`);
      assertLine(
        text.stdout,
        'blob-missing',
        `${where}:${tag}: manifest ${amd64.digest} of linux/amd64`,
        /got absent$/,
      );
      assert.equal(failed(report, 'unreadable', tag, first.host).length, 0, tag);
      assert.equal(failed(report, 'platforms', tag, first.host).length, 0, tag);
    }
  });

  it('reports every damage at once, in text and JSON', async () => {
    const { text, report, code } = await verify('tampered.json');
    assert.equal(code, 7);
    const checks = new Set(report.failures.map((f) => f.check));
    for (const check of [
      'tag-digest',
      'tag-diverges',
      'tag-missing',
      'media-type',
      'docker-media-type',
      'platforms',
      'annotation',
      'attestation-subject',
      'base-layers',
      'blob-missing',
      'order',
    ]) {
      assert.ok(checks.has(check as Failure['check']), check);
    }
    assert.deepEqual(
      report.failures.filter((f) => f.check === 'unreadable'),
      [],
    );
    const lines = text.stdout.trim().split('\n');
    assert.equal(lines.length, report.failures.length + 1);
    assert.equal(
      lines.at(-1),
      `${report.checks} checks, ${report.failures.length} failures`,
    );
    assert.match(text.stderr, /GANTRY_E_VERIFY_FAILED/);
  });
});
