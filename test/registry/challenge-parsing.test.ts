import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isGantryError } from '../../src/errors.js';
import {
  type Challenge,
  formatChallenges,
  parseChallenges,
} from '../../src/registry/challenge.js';

function headerErrorCode(fn: () => unknown): void {
  assert.throws(fn, (error: unknown) => isGantryError(error, 'GANTRY_E_HEADER'));
}

describe('WWW-Authenticate parsing (RFC 7235)', () => {
  it('keeps a comma inside a quoted scope', () => {
    const header =
      'Bearer realm="https://registry.example.com/oauth2/token",' +
      'service="registry.example.com",scope="repository:org/app:pull,push"';
    assert.deepEqual(parseChallenges(header), [
      {
        scheme: 'bearer',
        params: {
          realm: 'https://registry.example.com/oauth2/token',
          service: 'registry.example.com',
          scope: 'repository:org/app:pull,push',
        },
      },
    ]);
  });

  it('allows whitespace around commas and equals signs', () => {
    const [challenge] = parseChallenges('Bearer scope="a:b:pull" ,  realm="x"');
    assert.deepEqual(challenge?.params, { scope: 'a:b:pull', realm: 'x' });
    const [spaced] = parseChallenges('Bearer realm = "x" , service =reg');
    assert.deepEqual(spaced?.params, { realm: 'x', service: 'reg' });
  });

  it('unescapes quoted pairs', () => {
    const [challenge] = parseChallenges(
      'Bearer realm="r",error="invalid_token",error_description="say \\"hi\\" \\\\ ok"',
    );
    assert.equal(challenge?.params.error_description, 'say "hi" \\ ok');
  });

  it('splits several challenges in one header', () => {
    assert.deepEqual(
      parseChallenges('Basic realm="r", Bearer realm="https://t.example.com/token"'),
      [
        { scheme: 'basic', params: { realm: 'r' } },
        { scheme: 'bearer', params: { realm: 'https://t.example.com/token' } },
      ],
    );
  });

  it('reads a challenge without service (BR-15)', () => {
    const [challenge] = parseChallenges(
      'Bearer realm="https://us-docker.pkg.dev/v2/token"',
    );
    assert.deepEqual(challenge, {
      scheme: 'bearer',
      params: { realm: 'https://us-docker.pkg.dev/v2/token' },
    });
  });

  it('lower-cases schemes and parameter names but not values', () => {
    const [challenge] = parseChallenges('BEARER Realm="HTTPS://X/Token"');
    assert.deepEqual(challenge, {
      scheme: 'bearer',
      params: { realm: 'HTTPS://X/Token' },
    });
  });

  it('reads token68, bare schemes and unknown schemes', () => {
    assert.deepEqual(parseChallenges('Negotiate, NTLM abc+/def==,Custom-Scheme x=1'), [
      { scheme: 'negotiate', params: {} },
      { scheme: 'ntlm', params: {}, token68: 'abc+/def==' },
      { scheme: 'custom-scheme', params: { x: '1' } },
    ]);
  });

  it('reads a lone word after the scheme as token68, as the grammar says', () => {
    // `realm` and `realm=` match token68, so they are not parameters.
    assert.deepEqual(parseChallenges('Bearer realm='), [
      { scheme: 'bearer', params: {}, token68: 'realm=' },
    ]);
    assert.equal(parseChallenges('Bearer realm')[0]?.token68, 'realm');
  });

  it('keeps a parameter named __proto__ (found by the property test below)', () => {
    const [challenge] = parseChallenges('Bearer __proto__="x", realm="r"');
    assert.deepEqual(Object.entries(challenge?.params ?? {}), [
      ['__proto__', 'x'],
      ['realm', 'r'],
    ]);
    assert.equal(Object.getPrototypeOf(challenge?.params), Object.prototype);
  });

  it('skips empty list elements', () => {
    assert.equal(parseChallenges(' , Basic realm="r",, , Bearer realm="t" ,').length, 2);
  });

  for (const bad of [
    '',
    '   ,  ',
    'Bearer realm="unterminated',
    'Bearer realm="a", realm="b"',
    'Bearer realm="x" junk',
    '"quoted" scheme',
    'Bearer realm="a\u0001b"',
    'Bearer realm="a\\',
    'Bearer =x',
  ]) {
    it(`rejects ${JSON.stringify(bad)} with GANTRY_E_HEADER`, () => {
      headerErrorCode(() => parseChallenges(bad));
    });
  }

  it('parses a long hostile header without backtracking', () => {
    // Linear parsing: a hundred thousand commas and quotes are read once.
    const long = `Bearer realm="${'\\"'.repeat(100_000)}"${' ,'.repeat(100_000)}, Basic`;
    const challenges = parseChallenges(long);
    assert.equal(challenges[0]?.params.realm?.length, 100_000);
    assert.equal(challenges[1]?.scheme, 'basic');
  });
});

const TOKEN = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9a-z]{1,12}$/);
const QUOTABLE = fc.stringMatching(/^[\t\x20-\x7e]{0,30}$/);
const TOKEN68 = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,20}={0,2}$/);

const CHALLENGE: fc.Arbitrary<Challenge> = fc.oneof(
  fc.record({
    scheme: TOKEN,
    params: fc.dictionary(TOKEN, QUOTABLE, { maxKeys: 5 }),
  }),
  fc.record({ scheme: TOKEN, params: fc.constant({}), token68: TOKEN68 }),
);

describe('WWW-Authenticate properties', () => {
  it('gives back any well-formed header it formatted', () => {
    fc.assert(
      fc.property(fc.array(CHALLENGE, { minLength: 1, maxLength: 4 }), (challenges) => {
        const plain = challenges.map((c) => ({ ...c, params: { ...c.params } }));
        assert.deepEqual(parseChallenges(formatChallenges(plain)), plain);
      }),
    );
  });

  it('throws nothing but GANTRY_E_HEADER on arbitrary text', () => {
    const pieces = fc.constantFrom(
      'Bearer',
      ' ',
      ',',
      '=',
      '"',
      '\\',
      'a',
      'realm',
      '\t',
      '==',
    );
    const text = fc.oneof(
      fc.string(),
      fc.array(pieces).map((p) => p.join('')),
    );
    fc.assert(
      fc.property(text, (header) => {
        try {
          parseChallenges(header);
        } catch (error) {
          assert.ok(isGantryError(error, 'GANTRY_E_HEADER'), String(error));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
