import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, isGantryError } from '../../src/errors.js';

/**
 * Shared parts of the property tests on parsers of outside input: bounded
 * random inputs (so no run can take memory out of proportion) and the one
 * property they all share: a parser returns or throws a GantryError with a
 * known code, never anything else.
 */

/** Runs per property: enough to find shape bugs, few enough to stay quick. */
export const RUNS = 300;
/** Largest random input, in bytes or characters. */
export const MAX_INPUT = 4096;

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** Inputs tried by every property in this process, for the summary. */
export const tried = { inputs: 0 };

/** Asserts that `error` is a GantryError with a known code. */
export function assertGantryError(error: unknown, what: string): void {
  assert.ok(isGantryError(error), `${what} threw a non-gantry error: ${String(error)}`);
  assert.ok(KNOWN_CODES.has(error.code), `${what}: unknown code ${error.code}`);
}

/** `parse(input)` returns or throws only a GantryError with a known code. */
export function onlyGantryErrors<T>(
  what: string,
  input: fc.Arbitrary<T>,
  parse: (input: T) => unknown,
): void {
  fc.assert(
    fc.property(input, (value) => {
      tried.inputs++;
      try {
        parse(value);
      } catch (error) {
        assertGantryError(error, what);
      }
    }),
    { numRuns: RUNS },
  );
}

/** Async form of onlyGantryErrors. */
export async function onlyGantryErrorsAsync<T>(
  what: string,
  input: fc.Arbitrary<T>,
  parse: (input: T) => Promise<unknown>,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(input, async (value) => {
      tried.inputs++;
      try {
        await parse(value);
      } catch (error) {
        assertGantryError(error, what);
      }
    }),
    { numRuns: RUNS },
  );
}

const encoder = new TextEncoder();
export const utf8 = (text: string): Uint8Array => encoder.encode(text);

/** Random bytes, bounded. */
export const anyBytes = fc.uint8Array({ maxLength: MAX_INPUT });

/** Any JSON value, serialised: the shape of most outside input. */
export const anyJsonText = fc.json({ maxDepth: 4 });

/** A plausible digest, sometimes valid, sometimes not quite. */
export const digestText = fc.oneof(
  fc.stringMatching(/^sha256:[0-9a-f]{64}$/),
  fc.stringMatching(/^sha(256|512):[0-9a-fA-F]{0,70}$/),
  fc.string({ maxLength: 20 }),
);

/** Any JSON value, or one of the values that trip parsers most. */
export const oddValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, -1, Number.MAX_VALUE, 0.5, '', '__proto__', [], {}, 2 ** 53 + 1),
);

/** A descriptor-like object with random or wrong fields. */
export const descriptorLike = fc.record(
  {
    mediaType: fc.oneof(
      fc.constantFrom(
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.oci.image.layer.v1.tar+gzip',
        'application/vnd.docker.distribution.manifest.v2+json',
      ),
      oddValue,
    ),
    digest: fc.oneof(digestText, oddValue),
    size: fc.oneof(fc.integer({ min: -2, max: 2 ** 40 }), oddValue),
    platform: fc.oneof(
      fc.record({
        os: fc.string({ maxLength: 8 }),
        architecture: fc.string({ maxLength: 8 }),
      }),
      oddValue,
    ),
    annotations: fc.oneof(
      fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
      oddValue,
    ),
    urls: oddValue,
  },
  { requiredKeys: [] },
);
