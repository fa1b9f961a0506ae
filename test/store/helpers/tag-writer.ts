import { OciLayoutTarget } from '../../../src/store/oci-layout.js';
import { makeImage, pushImage } from '../support.js';

/**
 * A separate gantry writer for the concurrency test: opens (creating) the
 * layout given, pushes one image shared by every writer and one of its own,
 * then tags `<prefix>-0` .. `<prefix>-<count-1>`, alternating between them.
 *
 *   node --import tsx tag-writer.ts LAYOUT PREFIX COUNT
 */
const [path, prefix, countText] = process.argv.slice(2);
if (path === undefined || prefix === undefined || countText === undefined) {
  throw new Error('usage: tag-writer.ts LAYOUT PREFIX COUNT');
}

const layout = await OciLayoutTarget.open(path, { create: true });
const shared = makeImage('shared');
const own = makeImage(prefix);
await pushImage(layout, shared);
await pushImage(layout, own);
for (let i = 0; i < Number(countText); i++) {
  await layout.tag(i % 2 === 0 ? shared.descriptor : own.descriptor, `${prefix}-${i}`);
}
