import { join } from 'node:path';
import { MemoryTarget } from '../../src/store/memory.js';
import { OciArchiveTarget } from '../../src/store/oci-archive.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import { targetBehaviourSuite } from './behaviour-suite.js';
import { tempDir } from './support.js';

// One behaviour suite, three backends: memory, a layout folder, an archive.

targetBehaviourSuite('MemoryTarget', async () => {
  const target = new MemoryTarget();
  return { target, reopen: async () => target };
});

targetBehaviourSuite('OciLayoutTarget', async () => {
  const path = join(await tempDir(), 'layout');
  const target = await OciLayoutTarget.open(path, { create: true });
  return { target, reopen: () => OciLayoutTarget.open(path, { readOnly: true }) };
});

targetBehaviourSuite('OciArchiveTarget', async () => {
  const file = join(await tempDir(), 'image.tar');
  const target = await OciArchiveTarget.open(file, { create: true });
  const readers: OciArchiveTarget[] = [];
  return {
    target,
    reopen: async () => {
      await target.close();
      readers.push(await OciArchiveTarget.open(file, { readOnly: true }));
      return readers.at(-1)!;
    },
    dispose: async () => {
      for (const archive of [target, ...readers]) await archive.close();
    },
  };
});
