import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * `gantry build` of a multi-stage Dockerfile (a FROM scratch stage holding
 * per-architecture binaries, then an image on a base already in the
 * registry) for two platforms: the result is an index whose platforms'
 * configs show the entrypoint, env and labels (checked with skopeo), and
 * two builds in different folders with the same SOURCE_DATE_EPOCH give the
 * same digests.
 */
const SKOPEO = '/usr/bin/skopeo';
const EPOCH = '1700000000';

const DOCKERFILE = `# syntax=docker/dockerfile:1
ARG BASE
FROM scratch AS bin
ARG TARGETARCH
COPY dist/\${TARGETARCH}/tool /usr/local/bin/tool

FROM \${BASE}
COPY --from=bin /usr/local/bin/tool /usr/local/bin/tool
ENV APP_MODE=production \\
    APP_HOME=/srv
ENTRYPOINT ["/usr/local/bin/tool"]
LABEL org.opencontainers.image.title=tool
`;

const made: string[] = [];
after(async () => {
  await Promise.all(made.map((path) => rm(path, { recursive: true, force: true })));
});

/** A build context in a new folder: the Dockerfile and two binaries. */
async function makeContext(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'gantry-build-cli-'));
  made.push(root);
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(root, 'dist', arch), { recursive: true });
    await writeFile(join(root, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`, {
      mode: 0o755,
    });
  }
  await writeFile(join(root, 'Dockerfile'), DOCKERFILE);
  return root;
}

function skopeoConfig(image: string, arch: string): Record<string, unknown> {
  const text = execFileSync(
    SKOPEO,
    [
      'inspect',
      '--config',
      '--tls-verify=false',
      '--override-arch',
      arch,
      `docker://${image}`,
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(text) as Record<string, unknown>;
}

describe('gantry build on the plain registry', () => {
  let registry: TestRegistry;
  let repository = '';
  let base = '';

  before(async () => {
    registry = (await getRegistries()).plain;
    repository = uniqueRepository(registry, 'build');
    base = `${repository}:base`;
    const client = seedingClient(registry);
    await seedImage(client, ref(base));
    await client.close();
  });

  it('writes an index whose platforms carry the Dockerfile config', async () => {
    const context = await makeContext();
    const args = ['build', '--platform', 'linux/amd64,linux/arm64', '--build-arg'];
    const result = await runGantry(
      [...args, `BASE=${base}`, '--tag', `${repository}:one`, '--no-cache', context],
      { env: { SOURCE_DATE_EPOCH: EPOCH } },
    );
    assert.equal(result.code, 0, result.stderr);
    const [root, amd64, arm64] = result.stdout.trim().split('\n');
    assert.match(root ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.match(amd64 ?? '', /^linux\/amd64 sha256:/);
    assert.match(arm64 ?? '', /^linux\/arm64 sha256:/);

    for (const arch of ['amd64', 'arm64']) {
      const config = skopeoConfig(`${repository}:one`, arch) as {
        architecture: string;
        config: { Entrypoint: string[]; Env: string[]; Labels: Record<string, string> };
        history: { created_by?: string }[];
      };
      assert.equal(config.architecture, arch);
      assert.deepEqual(config.config.Entrypoint, ['/usr/local/bin/tool']);
      assert.ok(config.config.Env.includes('APP_MODE=production'));
      assert.ok(config.config.Env.includes('APP_HOME=/srv'));
      assert.equal(config.config.Labels['org.opencontainers.image.title'], 'tool');
      const history = config.history.map((entry) => entry.created_by);
      assert.ok(
        history.includes(
          'COPY --from=bin /usr/local/bin/tool /usr/local/bin/tool # gantry',
        ),
      );
    }

    const raw = execFileSync(
      SKOPEO,
      ['inspect', '--raw', '--tls-verify=false', `docker://${repository}:one`],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(JSON.parse(raw).mediaType, 'application/vnd.oci.image.index.v1+json');
  });

  it('gives the same digests when built again in another folder', async () => {
    const digests: string[] = [];
    for (const tag of ['two', 'three']) {
      const context = await makeContext();
      const result = await runGantry(
        [
          'build',
          '--platform',
          'linux/amd64',
          '--platform',
          'linux/arm64',
          '--build-arg',
          `BASE=${base}`,
          '--no-cache',
          '--tag',
          `${repository}:${tag}`,
          context,
        ],
        { env: { SOURCE_DATE_EPOCH: EPOCH }, cwd: context },
      );
      assert.equal(result.code, 0, result.stderr);
      digests.push(result.stdout);
    }
    assert.equal(digests[0], digests[1]);
    assert.equal(digests[0]?.split('\n').filter((line) => line !== '').length, 3);
  });
});
