import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { planRelease } from '../../src/release/plan.js';
import type { ReleasePlan } from '../../src/release/plan-types.js';
import { parseVersion } from '../../src/release/version.js';
import { fixture, GIT, TWENTY_FOUR_VARIANTS } from './support.js';

/** Each image's tags, and each destination's set of tags, keyed by name. */
function tagSets(plan: ReleasePlan) {
  return {
    images: Object.fromEntries(plan.images.map((image) => [image.name, image.tags])),
    destinations: Object.fromEntries(
      plan.destinations.map((destination) => [
        destination.name,
        destination.writes.map((write) => write.tag).sort(),
      ]),
    ),
    lastImage: plan.order.at(-1),
  };
}

test('any order of the variants gives the same tags per image and destination', () => {
  const file = fixture(TWENTY_FOUR_VARIANTS);
  const version = parseVersion('0.7.14', 'semver');
  const expected = tagSets(planRelease(file, { version, git: GIT }));

  fc.assert(
    fc.property(
      fc.shuffledSubarray(file.variants, {
        minLength: file.variants.length,
        maxLength: file.variants.length,
      }),
      (variants) => {
        const plan = planRelease({ ...file, variants }, { version, git: GIT });
        assert.deepEqual(tagSets(plan), expected);
      },
    ),
    { numRuns: 50 },
  );
});
