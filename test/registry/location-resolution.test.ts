import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import { Digest } from '../../src/oci/digest.js';
import { resolveLocation, withDigestQuery } from '../../src/registry/location.js';

const DIGEST = Digest.parse(`sha256:${'a'.repeat(64)}`);
const DIGEST_QUERY = `digest=sha256%3A${'a'.repeat(64)}`;

describe('upload Location resolution', () => {
  it('keeps the query of a relative Location and appends digest (BR-19 A)', () => {
    const location =
      '/v2/org/app/blobs/uploads/e10c4f3b?_nouploadcache=false&_state=abc%3D';
    const upload = resolveLocation(
      location,
      'https://registry.example.com/v2/org/app/blobs/uploads/',
    );
    assert.equal(
      withDigestQuery(upload, DIGEST),
      'https://registry.example.com/v2/org/app/blobs/uploads/e10c4f3b' +
        `?_nouploadcache=false&_state=abc%3D&${DIGEST_QUERY}`,
    );
  });

  it('resolves against the URL that answered after a redirect (BR-19 B)', () => {
    // POST to a.example.com was redirected; b.example.com gave the relative Location.
    const upload = resolveLocation(
      '/v2/org/app/blobs/uploads/u1',
      'https://b.example.com/v2/org/app/blobs/uploads/',
    );
    assert.equal(
      withDigestQuery(upload, DIGEST),
      `https://b.example.com/v2/org/app/blobs/uploads/u1?${DIGEST_QUERY}`,
    );
  });

  it('follows the RFC 3986 §5.4 examples', () => {
    const base = 'http://a/b/c/d;p?q';
    const cases: [string, string][] = [
      ['g', 'http://a/b/c/g'],
      ['./g', 'http://a/b/c/g'],
      ['g/', 'http://a/b/c/g/'],
      ['/g', 'http://a/g'],
      ['//g', 'http://g'],
      ['?y', 'http://a/b/c/d;p?y'],
      ['g?y', 'http://a/b/c/g?y'],
      ['#s', 'http://a/b/c/d;p?q'], // fragments are never sent, so dropped
      [';x', 'http://a/b/c/;x'],
      ['.', 'http://a/b/c/'],
      ['..', 'http://a/b/'],
      ['../g', 'http://a/b/g'],
      ['../..', 'http://a/'],
      ['../../../g', 'http://a/g'],
      ['/./g', 'http://a/g'],
      ['g.', 'http://a/b/c/g.'],
      ['..g', 'http://a/b/c/..g'],
      ['./g/.', 'http://a/b/c/g/'],
      ['g/../h', 'http://a/b/c/h'],
      ['g;x=1/../y', 'http://a/b/c/y'],
      ['HTTPS://Other.example/x?%41', 'https://Other.example/x?%41'],
    ];
    for (const [location, expected] of cases) {
      assert.equal(resolveLocation(location, base), expected, location);
    }
  });

  it('keeps absolute Locations byte for byte', () => {
    const absolute =
      'http://127.0.0.1:5000/v2/t/blobs/uploads/x?_state=A%2Bb%3D%3D&z=%7e';
    assert.equal(resolveLocation(absolute, 'https://other.example/v2/'), absolute);
  });

  it('refuses empty, spaced and non-HTTP Locations', () => {
    for (const bad of ['', '/a b', 'ftp://x/y', 'javascript:alert(1)', 'mailto:a@b']) {
      assert.throws(
        () => resolveLocation(bad, 'https://r.example.com/v2/'),
        (error: unknown) => isGantryError(error, 'GANTRY_E_HEADER'),
        bad,
      );
    }
  });
});

describe('digest query', () => {
  it('appends to an empty or trailing query and drops a fragment', () => {
    assert.equal(withDigestQuery('https://r/u?', DIGEST), `https://r/u?${DIGEST_QUERY}`);
    assert.equal(
      withDigestQuery('https://r/u?a=1&', DIGEST),
      `https://r/u?a=1&${DIGEST_QUERY}`,
    );
    assert.equal(
      withDigestQuery('https://r/u#frag', DIGEST),
      `https://r/u?${DIGEST_QUERY}`,
    );
  });
});
