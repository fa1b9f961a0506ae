import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReleaseFile } from '../../src/release/file.js';
import { planRelease } from '../../src/release/plan.js';
import { planToJSON } from '../../src/release/plan-render.js';
import { parseVersion } from '../../src/release/version.js';
import {
  fixture,
  fixtureText,
  GIT,
  SMALL_RELEASE,
  TWENTY_FOUR_VARIANTS,
} from './support.js';

const VERSION = parseVersion('0.7.14', 'semver');

/** The fixture with its variant entries in another order (a fixed shuffle). */
function shuffledFixture(): string {
  const text = fixtureText(TWENTY_FOUR_VARIANTS);
  const start = text.indexOf('variants:\n') + 'variants:\n'.length;
  const end = text.indexOf('labels:\n');
  const entries = text
    .slice(start, end)
    .split(/(?=^ {2}- from:)/m)
    .filter((entry) => entry.trim() !== '');
  const shuffled = entries.map((_, index) => entries[(index * 7) % entries.length]!);
  assert.equal(new Set(shuffled).size, entries.length, 'the shuffle is a permutation');
  assert.notDeepEqual(shuffled, entries);
  return text.slice(0, start) + shuffled.join('') + text.slice(end);
}

test('the same inputs give byte-identical JSON plans', () => {
  const first = planToJSON(
    planRelease(fixture(TWENTY_FOUR_VARIANTS), { version: VERSION, git: GIT }),
  );
  const second = planToJSON(
    planRelease(fixture(TWENTY_FOUR_VARIANTS), { version: VERSION, git: GIT }),
  );
  assert.equal(first, second);
  assert.ok(first.length > 10_000, 'the plan holds every image');
});

test('shuffling the variants in the file changes no image tag set', () => {
  const plan = planRelease(fixture(TWENTY_FOUR_VARIANTS), { version: VERSION, git: GIT });
  const shuffled = planRelease(parseReleaseFile(shuffledFixture()), {
    version: VERSION,
    git: GIT,
  });
  const tagSets = (images: typeof plan.images) =>
    Object.fromEntries(images.map((image) => [image.name, [...image.tags].sort()]));
  assert.deepEqual(tagSets(shuffled.images), tagSets(plan.images));
  assert.deepEqual(
    new Set(shuffled.destinations[0]!.writes.map((write) => write.tag)),
    new Set(plan.destinations[0]!.writes.map((write) => write.tag)),
  );
});

test('base-last is the default: every variant tag is written before the base', () => {
  const plan = planRelease(fixture(TWENTY_FOUR_VARIANTS), { version: VERSION, git: GIT });
  assert.equal(plan.order.at(-1), 'base');
  assert.equal(plan.images.at(-1)?.name, 'base');
  for (const destination of plan.destinations) {
    const baseSteps = destination.writes.filter((write) => write.image === 'base');
    assert.deepEqual(
      baseSteps.map((write) => write.step),
      [82, 83, 84],
    );
    assert.deepEqual(
      destination.writes.map((write) => write.step),
      Array.from({ length: 84 }, (_, index) => index + 1),
    );
  }
});

test('base-first and an explicit order are followed', () => {
  const first = planRelease(parseReleaseFile(`order: base-first\n${SMALL_RELEASE}`), {
    version: VERSION,
  });
  assert.deepEqual(first.order, ['base', 'alpine3.21', 'debian-slim']);

  const explicit = planRelease(
    parseReleaseFile(`order: [debian-slim, base, alpine3.21]\n${SMALL_RELEASE}`),
    { version: VERSION },
  );
  assert.deepEqual(explicit.order, ['debian-slim', 'base', 'alpine3.21']);
  assert.deepEqual(
    explicit.destinations[0]!.writes.map((write) => write.image)[3],
    'base',
  );
});

test('build inputs: the base has files per platform, variants their base image', () => {
  const plan = planRelease(parseReleaseFile(SMALL_RELEASE), {
    version: VERSION,
    git: GIT,
  });
  const base = plan.images.find((image) => image.kind === 'base')!;
  assert.deepEqual(base.builds, [
    { platform: 'linux/amd64', files: [{ source: 'dist/amd64/tool', target: '/tool' }] },
    { platform: 'linux/arm64', files: [{ source: 'dist/arm64/tool', target: '/tool' }] },
  ]);
  const alpine = plan.images.find((image) => image.name === 'alpine3.21')!;
  assert.equal(alpine.from, 'docker.io/library/alpine:3.21');
  assert.equal(alpine.copy, 'all');
  assert.deepEqual(plan.platforms, ['linux/amd64', 'linux/arm64']);
  assert.deepEqual(
    plan.destinations.map((destination) => [destination.name, destination.kind]),
    [
      ['localhost:5000/tool', 'registry'],
      ['oci:./out', 'layout'],
    ],
  );
});

test('without git the plan says what it left out and has no revision or created', () => {
  const plan = planRelease(parseReleaseFile(SMALL_RELEASE), { version: VERSION });
  assert.equal(plan.revision, undefined);
  assert.equal(plan.created, undefined);
  assert.equal(plan.notes.length, 2);
  assert.match(plan.notes.join('\n'), /created is omitted/);
  assert.match(plan.notes.join('\n'), /revision/);
});
