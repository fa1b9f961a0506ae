import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layerCacheKey } from '../../src/build/cache-key.js';
import { DEFAULT_GZIP_LEVEL } from '../../src/build/gzip-parallel.js';
import { DEFAULT_ZSTD_LEVEL } from '../../src/build/layer-options.js';

/**
 * A layer cache entry is keyed by the level the layer was compressed at,
 * not by whether a level was given: an entry filled under an earlier
 * default (gzip 6) must not answer for today's default, and naming the
 * default level explicitly finds the same entry.
 */

const inputs = [{ destination: '/hello.txt', content: 'hello\n' }];

test('a default level keys the same as that level named, and unlike any other', async () => {
  const key = (compression: 'gzip' | 'zstd' | 'none', level: number | undefined) =>
    layerCacheKey(inputs, { compression, level, epoch: 0 });

  assert.equal(await key('gzip', undefined), await key('gzip', DEFAULT_GZIP_LEVEL));
  assert.notEqual(await key('gzip', undefined), await key('gzip', 6));
  assert.notEqual(DEFAULT_GZIP_LEVEL, 6);
  assert.equal(await key('zstd', undefined), await key('zstd', DEFAULT_ZSTD_LEVEL));
  assert.notEqual(await key('zstd', undefined), await key('zstd', 19));
  assert.notEqual(await key('none', undefined), await key('gzip', undefined));
});
