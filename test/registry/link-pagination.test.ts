import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import { nextLink, parseLinkHeader } from '../../src/registry/link.js';

const BASE = 'https://quay.io/v2/org/app/tags/list?n=50';

describe('Link header pagination', () => {
  it('follows an opaque next_page token byte for byte (BR-22)', () => {
    const header = '</v2/org/app/tags/list?next_page=gAAAAABg1i7j%3D&n=50>; rel="next"';
    assert.equal(
      nextLink(header, BASE),
      'https://quay.io/v2/org/app/tags/list?next_page=gAAAAABg1i7j%3D&n=50',
    );
  });

  it('follows the n and last form (BR-22)', () => {
    const header = '</v2/org/app/tags/list?n=100&last=23.0.4-0>; rel="next"';
    assert.equal(
      nextLink(header, 'http://127.0.0.1:5000/v2/org/app/tags/list'),
      'http://127.0.0.1:5000/v2/org/app/tags/list?n=100&last=23.0.4-0',
    );
  });

  it('ends when there is no Link or no next relation', () => {
    assert.equal(nextLink(undefined, BASE), undefined);
    assert.equal(nextLink('', BASE), undefined);
    assert.equal(nextLink('</v2/x?last=a>; rel="prev"', BASE), undefined);
  });

  it('finds next among several links and several relation types', () => {
    const header =
      '</v2/x?p=1>; rel="prev first", </v2/x?p=3>; title="Page, three"; REL="Last  Next"';
    assert.equal(nextLink(header, BASE), 'https://quay.io/v2/x?p=3');
  });

  it('keeps an absolute target and a token rel', () => {
    assert.equal(
      nextLink('<https://cdn.example.com/v2/_catalog?last=test%2Fa&n=1>;rel=next', BASE),
      'https://cdn.example.com/v2/_catalog?last=test%2Fa&n=1',
    );
  });
});

describe('Link header grammar (RFC 8288)', () => {
  it('reads parameters, quoted values, escapes and bare names', () => {
    assert.deepEqual(
      parseLinkHeader('<a>; rel = "next" ;title="say \\"hi\\"";  anchor ; rel=prev,,<b>'),
      [
        { uri: 'a', params: { rel: 'next', title: 'say "hi"', anchor: '' } },
        { uri: 'b', params: {} },
      ],
    );
  });

  it('rejects malformed headers with GANTRY_E_HEADER', () => {
    for (const bad of [
      'next',
      '<a',
      '<a>; rel="x',
      '<a> rel=next',
      '<a>; =x',
      '<a>; rel=',
    ]) {
      assert.throws(
        () => parseLinkHeader(bad),
        (error: unknown) => isGantryError(error, 'GANTRY_E_HEADER'),
        bad,
      );
    }
  });

  it('reads a long header in one pass', () => {
    const header = Array.from({ length: 20_000 }, (_, i) => `</p?i=${i}>; rel="x"`).join(
      ', ',
    );
    assert.equal(parseLinkHeader(header).length, 20_000);
  });
});
