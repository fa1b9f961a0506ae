import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import { Digest } from '../../src/oci/digest.js';
import { parseReleaseFile } from '../../src/release/file.js';
import { planRelease } from '../../src/release/plan.js';
import { comparePlan } from '../../src/release/plan-diff.js';
import { planToJSON, renderPlanTable } from '../../src/release/plan-render.js';
import { parseVersion } from '../../src/release/version.js';
import { GIT, SMALL_RELEASE } from './support.js';

const OLD = Digest.of(new TextEncoder().encode('release 1.4.1'));
const BASE = Digest.of(new TextEncoder().encode('base 1.4.2'));
const ALPINE = Digest.of(new TextEncoder().encode('alpine 1.4.2'));
const DEBIAN = Digest.of(new TextEncoder().encode('debian 1.4.2'));

/** Every image's staged digest, as a dry-run or the release computes them. */
const PLANNED = new Map([
  ['base', BASE],
  ['alpine3.21', ALPINE],
  ['debian-slim', DEBIAN],
]);

/** What the destinations hold now: `latest` and `1.4` on the old base everywhere. */
const HELD: Record<string, Digest> = {
  'localhost:5000/tool latest': OLD,
  'localhost:5000/tool 1.4': OLD,
  'localhost:5000/tool 1.4.2': BASE,
  'oci:./out latest': OLD,
};

function plan() {
  return planRelease(parseReleaseFile(SMALL_RELEASE), {
    version: parseVersion('1.4.2', 'semver'),
    git: GIT,
  });
}

const asked: string[] = [];
async function current(destination: string, tag: string): Promise<Digest | undefined> {
  asked.push(`${destination} ${tag}`);
  return HELD[`${destination} ${tag}`];
}

test('with planned digests every tag is new, moves or stays', async () => {
  asked.length = 0;
  const diff = await comparePlan(plan(), current, { planned: PLANNED });

  const registry = diff.changes.filter(
    (change) => change.destination === 'localhost:5000/tool',
  );
  const byTag = Object.fromEntries(registry.map((change) => [change.tag, change]));
  assert.deepEqual(byTag.latest, {
    destination: 'localhost:5000/tool',
    image: 'base',
    tag: 'latest',
    change: 'moves',
    from: OLD.toString(),
    to: BASE.toString(),
  });
  assert.equal(byTag['1.4']?.change, 'moves');
  assert.equal(byTag['1.4.2']?.change, 'stays');
  assert.equal(byTag.alpine?.change, 'new');
  assert.equal(byTag.alpine?.to, ALPINE.toString());
  assert.equal(byTag['debian-slim']?.change, 'new');
  assert.equal(byTag['debian-slim']?.to, DEBIAN.toString());
  assert.equal(byTag['1.4.2']?.from, BASE.toString());
  assert.equal(byTag['1.4.2']?.to, BASE.toString());

  assert.deepEqual(diff.counts, { new: 22, moves: 3, stays: 1, held: 0 });
  assert.equal(asked.length, 26, 'each destination and tag asked once');
  assert.equal(new Set(asked).size, 26);
});

test('an image without a staged digest is an internal error, not a guess', async () => {
  const planned = new Map([['base', BASE]]);
  await assert.rejects(comparePlan(plan(), current, { planned }), (error: unknown) =>
    isGantryError(error, 'GANTRY_E_INTERNAL'),
  );
});

test('the table lists order, image, platforms, destination, tag and change', async () => {
  const diff = await comparePlan(plan(), current, { planned: PLANNED });
  const table = renderPlanTable(plan(), diff);
  const lines = table.split('\n');

  assert.equal(lines[0], 'release 1.4.2 (semver) from release.yaml');
  assert.equal(lines[1], 'order: alpine3.21 → debian-slim → base');
  assert.match(table, /^STEP +IMAGE +PLATFORMS +DESTINATION +TAG +CHANGE$/m);
  assert.match(
    table,
    new RegExp(
      String.raw`^1 +alpine3\.21 +linux/amd64,linux/arm64 +localhost:5000/tool` +
        String.raw` +1\.4\.2-alpine3\.21 +new → sha256:${ALPINE.hex.slice(0, 12)}…$`,
      'm',
    ),
  );
  const short = (digest: Digest) => `sha256:${digest.hex.slice(0, 12)}…`;
  assert.ok(
    lines.some(
      (line) =>
        / latest +moves /.test(line) &&
        line.endsWith(`moves ${short(OLD)} → ${short(BASE)}`),
    ),
    table,
  );
  assert.ok(
    lines.some((line) => / 1\.4\.2 +stays at /.test(line) && line.endsWith(short(BASE))),
  );
  assert.equal(lines.at(-1), 'plan: 22 new, 3 moving, 1 staying');
  assert.equal(
    lines.filter((line) => /^\d+ {2}/.test(line)).length,
    26,
    'a row per tag write',
  );
});

test('the JSON form is stable and holds the plan and the diff', async () => {
  const diff = await comparePlan(plan(), current, { planned: PLANNED });
  const text = planToJSON(plan(), diff);
  assert.equal(text, planToJSON(plan(), diff));
  const parsed = JSON.parse(text) as { plan: { order: string[] }; diff: typeof diff };
  assert.deepEqual(parsed.plan.order, ['alpine3.21', 'debian-slim', 'base']);
  assert.deepEqual(parsed.diff.counts, diff.counts);
  assert.equal(JSON.parse(planToJSON(plan())).diff, undefined);
});
