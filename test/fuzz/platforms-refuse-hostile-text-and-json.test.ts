import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ErrorCode } from '../../src/errors.js';
import {
  parsePlatform,
  parseWantedPlatform,
  platformToString,
} from '../../src/oci/platform.js';
import { platformFromJSON } from '../../src/oci/platform-json.js';
import { assertGantryError, MAX_INPUT, onlyGantryErrors } from './support.js';

/** Text shaped like a platform: slashes, dots, letters, oddities. */
const platformLike = fc.oneof(
  fc.string({ maxLength: MAX_INPUT }),
  fc
    .array(fc.stringMatching(/^[a-zA-Z0-9_.\-+ \n/]{0,12}$/), { maxLength: 6 })
    .map((parts) => parts.join('/')),
  fc.constantFrom('', '/', '//', 'linux//', 'linux/arm64/v8/x', '__proto__/x'),
);

describe('platforms from outside input', () => {
  it('os/arch[/variant] text: a platform or GANTRY_E_PLATFORM, nothing else', () => {
    onlyGantryErrors('parsePlatform', platformLike, parsePlatform);
    onlyGantryErrors('parseWantedPlatform', platformLike, parseWantedPlatform);
  });

  it('a platform that parses prints back to text that parses to it', () => {
    fc.assert(
      fc.property(platformLike, (text) => {
        let platform: ReturnType<typeof parsePlatform>;
        try {
          platform = parsePlatform(text);
        } catch (error) {
          assertGantryError(error, 'parsePlatform');
          assert.equal((error as { code: string }).code, ErrorCode.InvalidPlatform);
          return;
        }
        assert.deepEqual(parsePlatform(platformToString(platform)), platform);
      }),
      { numRuns: 300 },
    );
  });

  it('a platform object from JSON: a platform or a gantry error', () => {
    const json = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record(
        {
          os: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null)),
          architecture: fc.oneof(fc.string({ maxLength: 20 }), fc.constant(undefined)),
          variant: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
          'os.features': fc.oneof(fc.array(fc.string()), fc.string()),
        },
        { requiredKeys: [] },
      ),
    );
    onlyGantryErrors('platformFromJSON', json, (value) =>
      platformFromJSON(value, 'fuzzed descriptor', ErrorCode.InvalidManifest),
    );
  });
});
