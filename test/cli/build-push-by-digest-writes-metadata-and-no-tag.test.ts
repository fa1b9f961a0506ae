import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import { runGantry } from '../harness/cli.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * `gantry build --push-by-digest REPO --metadata-file F` pushes each
 * platform's image by digest, writes no tag, and records platform, digest,
 * repository, media type and size of each, for assembling later.
 */
const SKOPEO = '/usr/bin/skopeo';

interface DigestRecord {
  platform: string;
  digest: string;
  repository: string;
  mediaType: string;
  size: number;
}

let root = '';
after(async () => {
  if (root !== '') await rm(root, { recursive: true, force: true });
});

describe('gantry build --push-by-digest', () => {
  let registry: TestRegistry;
  let repository = '';

  before(async () => {
    registry = (await getRegistries()).plain;
    repository = uniqueRepository(registry, 'build-digest');
    root = await mkdtemp(join(tmpdir(), 'gantry-build-digest-'));
    for (const arch of ['amd64', 'arm64']) {
      await mkdir(join(root, 'dist', arch), { recursive: true });
      await writeFile(join(root, 'dist', arch, 'tool'), arch);
    }
    const dockerfile =
      'FROM scratch\nARG TARGETARCH\nCOPY dist/$TARGETARCH/tool /tool\nCMD ["/tool"]\n';
    await writeFile(join(root, 'Dockerfile'), dockerfile);
  });

  it('pushes each platform by digest, writes the metadata file and no tag', async () => {
    const metadata = join(root, 'digests.json');
    const result = await runGantry([
      'build',
      '--platform',
      'linux/amd64,linux/arm64',
      '--push-by-digest',
      repository,
      '--metadata-file',
      metadata,
      root,
    ]);
    assert.equal(result.code, 0, result.stderr);

    const records = JSON.parse(await readFile(metadata, 'utf8')) as DigestRecord[];
    assert.deepEqual(
      records.map((record) => record.platform),
      ['linux/amd64', 'linux/arm64'],
    );
    for (const record of records) {
      assert.equal(record.repository, repository);
      assert.equal(record.mediaType, 'application/vnd.oci.image.manifest.v1+json');
      const raw = execFileSync(
        SKOPEO,
        [
          'inspect',
          '--raw',
          '--tls-verify=false',
          `docker://${repository}@${record.digest}`,
        ],
        { encoding: 'buffer' },
      );
      assert.equal(raw.length, record.size);
    }

    const client = seedingClient(registry);
    try {
      const tags = await client.listTags(ref(repository)).catch((error: unknown) => {
        if (isGantryError(error, 'GANTRY_E_NOT_FOUND')) return [];
        throw error;
      });
      assert.deepEqual(tags, []);
    } finally {
      await client.close();
    }
  });

  it('refuses --metadata-file without --push-by-digest, and --tag with it', async () => {
    const alone = await runGantry(['build', '--metadata-file', 'x.json', root]);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--metadata-file needs --push-by-digest/);
    const both = await runGantry([
      'build',
      '--push-by-digest',
      repository,
      '--tag',
      'x',
      root,
    ]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /takes no --output or --tag/);
  });
});
