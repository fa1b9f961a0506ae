import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import {
  chunkRange,
  contentRange,
  nextOffset,
  parseRange,
} from '../../src/registry/location.js';

describe('chunked upload ranges', () => {
  it('sends inclusive Content-Range for a 10-byte blob in 4-byte chunks (BR-20)', () => {
    const size = 10;
    const chunk = 4;
    const sent: string[] = [];
    // The registry answers each PATCH with Range: 0-<last byte received>.
    let rangeHeader: string | undefined = '0-0';
    let offset = nextOffset(rangeHeader, 0);
    while (size - offset > chunk) {
      sent.push(chunkRange(offset, chunk));
      rangeHeader = `0-${offset + chunk - 1}`;
      offset = nextOffset(rangeHeader, offset + chunk);
    }
    sent.push(chunkRange(offset, size - offset));
    assert.deepEqual(sent, ['0-3', '4-7', '8-9']);
    assert.equal(contentRange(4, 7), '4-7');
  });

  it('reads Range with or without a bytes prefix', () => {
    assert.deepEqual(parseRange('0-3'), { start: 0, end: 3 });
    assert.deepEqual(parseRange('bytes=0-7'), { start: 0, end: 7 });
    assert.deepEqual(parseRange(' bytes 0 - 7 '), { start: 0, end: 7 });
    assert.equal(parseRange(undefined), undefined);
    assert.equal(parseRange(''), undefined);
  });

  it('takes the next offset as the last Range end plus one', () => {
    assert.equal(nextOffset('0-3'), 4);
    assert.equal(nextOffset('bytes=0-7', 8), 8);
  });

  it('reads 0-0 as an empty session unless bytes were already sent', () => {
    assert.equal(nextOffset('0-0'), 0);
    assert.equal(nextOffset('0-0', 0), 0);
    assert.equal(nextOffset('0-0', 1), 1);
  });

  it('keeps the caller count when the registry sends no Range', () => {
    assert.equal(nextOffset(undefined), 0);
    assert.equal(nextOffset(undefined, 12), 12);
  });

  it('rejects malformed Range headers with GANTRY_E_HEADER', () => {
    for (const bad of [
      '3',
      '-3',
      '0-',
      'a-b',
      '5-3',
      'bytes=0-3,5-6',
      '0-99999999999999999',
    ]) {
      assert.throws(
        () => parseRange(bad),
        (error: unknown) => isGantryError(error, 'GANTRY_E_HEADER'),
        bad,
      );
    }
  });

  it('refuses empty or negative content ranges', () => {
    for (const [start, end] of [
      [5, 4],
      [-1, 3],
      [0.5, 3],
    ] as const) {
      assert.throws(
        () => contentRange(start, end),
        (error: unknown) => isGantryError(error, 'GANTRY_E_INTERNAL'),
      );
    }
    assert.throws(
      () => chunkRange(3, 0),
      (error: unknown) => isGantryError(error),
    );
  });
});
