import assert from 'node:assert/strict';
import { truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { MAX_LAYOUT_INDEX_BYTES, OciLayoutTarget } from '../../src/store/oci-layout.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * An `index.json` far larger than any layout needs (here a sparse file,
 * so the test writes nothing) is refused by its size before it is read.
 */

const dir = makeTempDir('gantry-fuzz-layout-');
after(() => removeTempDir(dir));

test('an index.json over the limit is refused by size, unread', async () => {
  const layout = await OciLayoutTarget.open(join(dir, 'big'), { create: true });
  await truncate(join(dir, 'big', 'index.json'), MAX_LAYOUT_INDEX_BYTES + 1);

  await assert.rejects(layout.tags(), (error) => {
    assert.ok(isGantryError(error, ErrorCode.InvalidLayout), String(error));
    assert.match(error.message, new RegExp(`${MAX_LAYOUT_INDEX_BYTES + 1} bytes`));
    return true;
  });
});
