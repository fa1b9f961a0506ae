import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { copyImage } from '../../src/copy/copy.js';
import { isGantryError } from '../../src/errors.js';
import { RegistryClient } from '../../src/registry/client.js';
import { executeRelease } from '../../src/release/execute.js';
import { parseReleaseFile } from '../../src/release/file.js';
import { planRelease } from '../../src/release/plan.js';
import { releaseRecord } from '../../src/release/record.js';
import { parseVersion } from '../../src/release/version.js';
import { MemoryTarget } from '../../src/store/memory.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';

/**
 * A release stopped after any of its steps (each content push and each tag
 * write, in two layouts) leaves only tags that name complete images, and
 * running it again finishes it: every planned tag on the planned digest.
 * The two layouts publish side by side, so a stop leaves each with a first
 * part of its tags in plan order, and exactly the tags it reported written.
 */
const PLAN_ORDER = ['3.1.4', '3.1', '3', 'latest'];
let work = '';
const client = new RegistryClient();

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'gantry-release-interrupt-'));
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `tool for ${arch}\n`);
  }
});

after(async () => {
  await client.close();
  await rm(work, { recursive: true, force: true });
});

function plan(trial: number) {
  const text = [
    `destinations: [oci:${work}/t${trial}/a, oci:${work}/t${trial}/b]`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /tool',
  ].join('\n');
  return planRelease(parseReleaseFile(text), {
    version: parseVersion('3.1.4', 'semver'),
  });
}

/** Each tag names `digest` (when given): an image that reads back whole. */
async function checkLayout(path: string, digest?: string): Promise<string[]> {
  const layout = await OciLayoutTarget.open(path, { create: true });
  const tags = await layout.tags();
  for (const tag of tags) {
    const found = (await layout.resolve(tag)).digest.toString();
    if (digest !== undefined) assert.equal(found, digest, `${path}:${tag}`);
    const copy = new MemoryTarget({ description: 'check' });
    await copyImage(layout, tag, copy, [], { referrers: false });
  }
  return tags;
}

test('stopped after any step, only complete tags; a re-run ends it', async () => {
  // Two content pushes (one per layout) and four tags in each: ten steps.
  const steps = 10;
  for (let stopAfter = 0; stopAfter < steps; stopAfter++) {
    const controller = new AbortController();
    let seen = 0;
    let tagged = 0;
    const stopped = executeRelease(plan(stopAfter), {
      client,
      baseDir: work,
      cacheDir: false,
      signal: controller.signal,
      onEvent: (event) => {
        // Steps are writes; stop 0 comes at the first event, before any write.
        if (event.type === 'pushed' || event.type === 'tagged') seen += 1;
        if (event.type === 'tagged') tagged += 1;
        if (seen === stopAfter) controller.abort();
      },
    });
    await assert.rejects(stopped, (error) => isGantryError(error, 'GANTRY_E_ABORTED'));
    // Steps: each layout's content, then its four tags; the layouts side by side.
    const inA = await checkLayout(join(work, `t${stopAfter}`, 'a'));
    const inB = await checkLayout(join(work, `t${stopAfter}`, 'b'));
    for (const tags of [inA, inB]) {
      assert.deepEqual(
        tags.sort(),
        PLAN_ORDER.slice(0, tags.length).sort(),
        `${stopAfter}`,
      );
    }
    assert.equal(inA.length + inB.length, tagged, `tags reported ${stopAfter}`);
    assert.ok(tagged >= stopAfter - 2, `stopped at ${stopAfter}, ${tagged} tags`);

    const outcome = await executeRelease(plan(stopAfter), {
      client,
      baseDir: work,
      cacheDir: false,
    });
    const record = releaseRecord(outcome);
    const digest = record.images[0]!.digest;
    assert.equal(record.counts.new + record.counts.stays, 8, `trial ${stopAfter}`);
    assert.equal(record.counts.moves, 0);
    for (const side of ['a', 'b']) {
      const tags = await checkLayout(join(work, `t${stopAfter}`, side), digest);
      assert.deepEqual(tags.sort(), [...PLAN_ORDER].sort());
    }
  }
});
