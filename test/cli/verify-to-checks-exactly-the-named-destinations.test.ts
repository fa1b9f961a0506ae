import assert from 'node:assert/strict';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { VerifyReport } from '../../src/verify/types.js';
import { runGantry } from '../harness/cli.js';
import { seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * `gantry verify --to DEST` checks exactly the destinations named, in place
 * of the record's: a byte copy of a released layout and a registry copy
 * made with `copy --all-tags` verify clean against the record's digests
 * (while damage in the recorded destinations goes unseen, as they are not
 * checked), and a copy that lacks tags reports each one missing, exit 7.
 */
const VERSION = '3.1.0';
const TAGS = ['3.1.0', '3.1', '3', 'latest'];
let registry: TestRegistry;
let work = '';
let repo = '';

before(async () => {
  registry = (await getRegistries()).plain;
  repo = uniqueRepository(registry, 'verify-to');
  work = makeTempDir('gantry-verify-to-');
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
  const file = [
    `destinations: [${repo}, oci:out]`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /usr/local/bin/tool',
  ].join('\n');
  await writeFile(join(work, 'release.yaml'), file);
  const run = await gantry(['release', '--version', VERSION, 'release.yaml']);
  assert.equal(run.code, 0, run.stderr);
});

after(() => {
  if (work !== '') removeTempDir(work);
});

function gantry(args: string[]) {
  return runGantry(args, { cwd: work });
}

async function verifyTo(...destinations: string[]) {
  const to = destinations.flatMap((destination) => ['--to', destination]);
  const args = ['verify', '--record', 'gantry-release-record.json', ...to];
  const text = await gantry([...args, 'release.yaml']);
  const json = await gantry(['--json', ...args, 'release.yaml']);
  return { text, report: JSON.parse(json.stdout) as VerifyReport };
}

describe('gantry verify --to', () => {
  it('checks a byte copy of a released layout alone, clean', async () => {
    await cp(join(work, 'out'), join(work, 'out2'), { recursive: true });

    const { text, report } = await verifyTo('oci:./out2');
    assert.equal(text.code, 0, text.stdout + text.stderr);
    assert.match(text.stdout, /0 failures/);
    assert.doesNotMatch(text.stdout, /planned but not in the record/);

    // One destination of the record's two is checked: fewer checks.
    const json = await gantry(['--json', 'verify', 'release.yaml']);
    const both = JSON.parse(json.stdout) as VerifyReport;
    assert.equal(both.failures.length, 0, json.stdout);
    assert.ok(report.checks > 0 && report.checks < both.checks, `${report.checks}`);
  });

  it('checks a registry copy made with copy --all-tags, clean', async () => {
    const other = uniqueRepository(registry, 'verify-to-copy');
    const copied = await gantry(['copy', '--all-tags', repo, other]);
    assert.equal(copied.code, 0, copied.stderr);

    const { text } = await verifyTo(other);
    assert.equal(text.code, 0, text.stdout + text.stderr);
    assert.doesNotMatch(text.stdout, new RegExp(`${repo}[:=]`));
  });

  it('does not check the recorded destinations it replaces', async () => {
    const client = seedingClient(registry);
    await seedImage(client, ref(`${repo}:elsewhere`));
    await client.close();
    const moved = await gantry(['tag', `${repo}:elsewhere`, 'latest']);
    assert.equal(moved.code, 0, moved.stderr);

    const all = await gantry(['verify', '--record', 'gantry-release-record.json']);
    assert.equal(all.code, 7, all.stdout + all.stderr);
    const { text } = await verifyTo('oci:./out2');
    assert.equal(text.code, 0, text.stdout + text.stderr);
  });

  it('reports each tag a destination lacks, exit 7', async () => {
    const partial = uniqueRepository(registry, 'verify-to-partial');
    const copied = await gantry(['copy', `oci:out:${VERSION}`, `${partial}:${VERSION}`]);
    assert.equal(copied.code, 0, copied.stderr);

    const { text, report } = await verifyTo(partial);
    assert.equal(text.code, 7, text.stdout + text.stderr);
    const missing = report.failures.filter((f) => f.check === 'tag-missing');
    assert.deepEqual(
      missing.map((f) => `${f.destination}:${f.tag}`).sort(),
      TAGS.filter((tag) => tag !== VERSION)
        .map((tag) => `${partial}:${tag}`)
        .sort(),
    );
    assert.ok(
      report.failures.every((f) => f.destination.startsWith(partial)),
      JSON.stringify(report.failures, null, 2),
    );
    assert.match(text.stdout, new RegExp(`${partial}:latest: tag missing`));
  });
});
