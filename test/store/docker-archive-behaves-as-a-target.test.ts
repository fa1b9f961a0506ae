import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { DockerArchiveTarget } from '../../src/store/docker-archive.js';
import { targetBehaviourSuite } from './behaviour-suite.js';

// The shared target behaviour, against a docker-save archive written with
// a repository for its plain tags and read back from the file after close.

const repository = 'example.com/suite/app';

targetBehaviourSuite('DockerArchiveTarget', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gantry-store-test-'));
  const file = join(dir, 'image.tar');
  const target = await DockerArchiveTarget.open(file, { create: true, repository });
  const readers: DockerArchiveTarget[] = [];
  // Suite tests that never reopen leave the target open; close() removes the
  // staging folder its pushes made in the system temp dir. A close that
  // fails to write the archive still removes it, and the test has already
  // made its assertions: only the folders matter here.
  after(async () => {
    await Promise.allSettled([target, ...readers].map((t) => t.close()));
    await rm(dir, { recursive: true, force: true });
  });
  return {
    target,
    reopen: async () => {
      await target.close();
      const reader = await DockerArchiveTarget.open(file, { readOnly: true, repository });
      readers.push(reader);
      return reader;
    },
  };
});
