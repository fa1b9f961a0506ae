import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RollbackPlan } from '../../src/release/rollback-types.js';
import { runGantry } from '../harness/cli.js';
import { getRegistries } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { buildByDigest, readRecord } from './release-record-support.js';
import { uniqueRepository } from './support.js';

/**
 * `gantry release --from-digests` run twice with the same inputs and
 * record file, against a real registry: the second run changes nothing,
 * says the record is kept and leaves the file as the first run wrote it,
 * so a rollback of it still removes every tag the first run created.
 */
const RECORD = 'fy.json';
let work = '';
let metadata: string[] = [];

before(async () => {
  const registry = (await getRegistries()).plain;
  work = makeTempDir('gantry-from-digests-twice-');
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
  await writeFile(
    join(work, 'Dockerfile'),
    'FROM scratch\nARG TARGETARCH\nCOPY dist/$TARGETARCH/tool /tool\n',
  );
  const repo = uniqueRepository(registry, 'fy-app');
  const file = [
    `destinations: [${repo}]`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /tool',
  ].join('\n');
  await writeFile(join(work, 'release.yaml'), file);

  const ci = uniqueRepository(registry, 'fy-ci');
  metadata = await buildByDigest(work, ci);
});

after(() => {
  if (work !== '') removeTempDir(work);
});

function gantry(args: string[]) {
  return runGantry(args, { cwd: work });
}

function release() {
  return gantry(
    ['release', '--version', '1.0.0', '--record', RECORD, 'release.yaml'].concat(
      '--from-digests',
      ...metadata,
    ),
  );
}

describe('gantry release --from-digests, repeated', () => {
  let first = '';

  it('records every tag it created', async () => {
    const run = await release();
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`^record written to ${RECORD}$`, 'm'));
    const record = await readRecord(join(work, RECORD));
    assert.ok(record.tags.length > 0);
    assert.ok(record.tags.every((tag) => tag.change === 'new'));
    first = await readFile(join(work, RECORD), 'utf8');
  });

  it('changes nothing the second time and keeps that record', async () => {
    const run = await release();
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`^nothing changed; record ${RECORD} kept$`, 'm'));
    assert.doesNotMatch(run.stderr, /record written to/);
    assert.match(run.stderr, /^[1-9]\d* checks, 0 failures$/m);
    assert.equal(await readFile(join(work, RECORD), 'utf8'), first);
  });

  it('still rolls back every tag the first run created', async () => {
    const run = await gantry(['--json', 'rollback', '--dry-run', RECORD]);
    assert.equal(run.code, 0, run.stderr);
    const plan = JSON.parse(run.stdout) as RollbackPlan;
    const created = (await readRecord(join(work, RECORD))).tags.length;
    assert.equal(plan.counts.remove, created);
    assert.ok(plan.steps.every((step) => step.action === 'remove'));
  });
});
