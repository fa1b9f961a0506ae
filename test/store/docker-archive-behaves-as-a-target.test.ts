import { join } from 'node:path';
import { DockerArchiveTarget } from '../../src/store/docker-archive.js';
import { targetBehaviourSuite } from './behaviour-suite.js';
import { tempDir } from './support.js';

// The shared target behaviour, against a docker-save archive written with
// a repository for its plain tags and read back from the file after close.

const repository = 'example.com/suite/app';

targetBehaviourSuite('DockerArchiveTarget', async () => {
  const file = join(await tempDir(), 'image.tar');
  const target = await DockerArchiveTarget.open(file, { create: true, repository });
  return {
    target,
    reopen: async () => {
      await target.close();
      return DockerArchiveTarget.open(file, { readOnly: true, repository });
    },
  };
});
