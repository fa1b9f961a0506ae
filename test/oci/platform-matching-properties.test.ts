import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  normalizePlatform,
  type Platform,
  parsePlatform,
  platformProblem,
  platformToString,
} from '../../src/oci/platform.js';
import { platformMatches } from '../../src/oci/platform-match.js';

// Property tests over the platform grammar: format/parse round trip, and
// matching as an equivalence (symmetric, reflexive on valid platforms,
// invariant under normalisation).

const name = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,12}$/);
const os = fc.oneof(
  fc.constantFrom('linux', 'windows', 'darwin', 'freebsd', 'unknown'),
  name,
);
const architecture = fc.oneof(
  fc.constantFrom(
    'amd64',
    'arm64',
    'arm',
    '386',
    'ppc64le',
    's390x',
    'riscv64',
    'aarch64',
    'x86_64',
    'armhf',
    'armel',
  ),
  name,
);
const variant = fc.option(
  fc.oneof(
    fc.constantFrom('v5', 'v6', 'v7', 'v8', 'v8.2', 'v1', 'v3', 'armv8', '7'),
    name,
  ),
  { nil: undefined },
);

const anyPlatform: fc.Arbitrary<Platform> = fc
  .record({ os, architecture, variant })
  .map(({ os, architecture, variant }) =>
    variant === undefined ? { os, architecture } : { os, architecture, variant },
  );
const validPlatform = anyPlatform.filter((p) => platformProblem(p) === undefined);

test('format then parse gives back every valid platform', () => {
  fc.assert(
    fc.property(validPlatform, (p) => {
      assert.deepEqual(parsePlatform(platformToString(p)), p);
    }),
  );
});

test('matching is symmetric', () => {
  fc.assert(
    fc.property(anyPlatform, anyPlatform, (a, b) => {
      assert.equal(platformMatches(a, b), platformMatches(b, a));
    }),
  );
});

test('every valid platform matches itself and its normal form', () => {
  fc.assert(
    fc.property(validPlatform, (p) => {
      assert.equal(platformMatches(p, p), true);
      assert.equal(platformMatches(p, normalizePlatform(p)), true);
    }),
  );
});

test('normalisation is idempotent', () => {
  fc.assert(
    fc.property(anyPlatform, (p) => {
      const once = normalizePlatform(p);
      assert.deepEqual(normalizePlatform(once), once);
    }),
  );
});

test('arm64 with no variant and arm64/v8 are the same platform on any os', () => {
  fc.assert(
    fc.property(os, (o) => {
      const bare = { os: o, architecture: 'arm64' };
      assert.equal(platformMatches(bare, { ...bare, variant: 'v8' }), true);
    }),
  );
});

test('platforms that differ in os or normalised architecture never match', () => {
  fc.assert(
    fc.property(validPlatform, validPlatform, (a, b) => {
      const na = normalizePlatform(a);
      const nb = normalizePlatform(b);
      fc.pre(na.os !== nb.os || na.architecture !== nb.architecture);
      assert.equal(platformMatches(a, b), false);
    }),
  );
});

test('a platform with an invalid variant matches nothing', () => {
  fc.assert(
    fc.property(anyPlatform, fc.constantFrom('arm', 'arm64'), (other, arch) => {
      const bad = { os: 'linux', architecture: arch, variant: 'armv8' };
      assert.equal(platformMatches(bad, other), false);
    }),
  );
});
