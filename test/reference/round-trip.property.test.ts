import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isGantryError } from '../../src/errors.js';
import { parseReference } from '../../src/reference/index.js';

const COMPONENT = fc.stringMatching(
  /^[a-z0-9]{1,6}(?:(?:[._]|__|-{1,3})[a-z0-9]{1,6}){0,2}$/,
);
const REGISTRY = fc.oneof(
  fc.constantFrom(
    '',
    'docker.io/',
    'index.docker.io/',
    'localhost/',
    'localhost:5000/',
    '127.0.0.1:5000/',
    '[::1]:5000/',
    'ghcr.io/',
  ),
  fc
    .tuple(
      fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,5}[a-z0-9])?$/),
      fc.constantFrom('.com', '.io', '.example.org'),
      fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    )
    .map(([name, tld, port]) => `${name}${tld}${port === undefined ? '' : `:${port}`}/`),
);
const TAG = fc.stringMatching(/^\w[\w.-]{0,20}$/);
const DIGEST = fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256:${hex}`);

const REFERENCE_TEXT = fc
  .tuple(
    REGISTRY,
    fc.array(COMPONENT, { minLength: 1, maxLength: 3 }),
    fc.option(TAG, { nil: undefined }),
    fc.option(DIGEST, { nil: undefined }),
  )
  // Without a registry, a first component holding "." is read as a host.
  .filter(
    ([registry, path]) => registry !== '' || path.length === 1 || !path[0]!.includes('.'),
  )
  .map(
    ([registry, path, tag, digest]) =>
      `${registry}${path.join('/')}${tag === undefined ? '' : `:${tag}`}` +
      `${digest === undefined ? '' : `@${digest}`}`,
  );

describe('reference properties', () => {
  it('parses its canonical and familiar strings back to the same reference', () => {
    fc.assert(
      fc.property(REFERENCE_TEXT, (text) => {
        const ref = parseReference(text);
        assert.deepEqual(parseReference(ref.toString()), ref);
        assert.deepEqual(parseReference(ref.familiar()), ref);
      }),
      { numRuns: 1000 },
    );
  });

  it('throws nothing but GANTRY_E_REFERENCE on arbitrary text', () => {
    const pieces = fc.constantFrom(
      'a',
      'B',
      '/',
      ':',
      '@',
      '.',
      '-',
      '_',
      '5000',
      'sha256:',
      'localhost',
      '[::1]',
      'docker.io',
      ' ',
      '\u00e9',
    );
    const text = fc.oneof(
      fc.string(),
      fc.array(pieces).map((p) => p.join('')),
    );
    fc.assert(
      fc.property(text, (input) => {
        try {
          parseReference(input);
        } catch (error) {
          assert.ok(isGantryError(error, 'GANTRY_E_REFERENCE'), String(error));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
