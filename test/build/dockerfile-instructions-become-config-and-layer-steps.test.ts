import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import type { PlatformBuild } from '../../src/build/build-image.js';
import { parseDockerfile } from '../../src/build/dockerfile-parse.js';
import {
  type DockerfilePlanOptions,
  planDockerfile,
} from '../../src/build/dockerfile-plan.js';
import { tempDir } from './support.js';

/**
 * Every supported instruction becomes the config change or layer the
 * Dockerfile reference describes; ARG scopes and automatic platform ARGs
 * follow BuildKit; only the stages the target needs are evaluated.
 */
const AMD64 = { os: 'linux', architecture: 'amd64' };
const ARM64 = { os: 'linux', architecture: 'arm64' };

async function plan(
  dockerfile: string,
  files: Record<string, string> = {},
  options: Partial<DockerfilePlanOptions> = {},
): Promise<PlatformBuild[]> {
  const context = await tempDir('gantry-dockerfile-');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(context, path)), { recursive: true });
    await writeFile(join(context, path), content);
  }
  const parsed = parseDockerfile(dockerfile, 'Dockerfile');
  return planDockerfile(parsed, { context, platforms: [AMD64], ...options });
}

describe('Dockerfile config instructions', () => {
  it('turn into config changes in order', async () => {
    const [build] = await plan(
      [
        'FROM scratch',
        'ENV PATH=/bin OTHER=x',
        'ENV GREETING hello world',
        'LABEL a=1 "b c"="two words"',
        'WORKDIR /srv',
        'WORKDIR app',
        'USER 1000:1000',
        'EXPOSE 80 53/udp 8000-8001',
        'VOLUME ["/data", "/cache"]',
        'VOLUME /logs',
        'STOPSIGNAL SIGTERM',
        'SHELL ["/bin/bash", "-c"]',
        'ENTRYPOINT run $HOME',
        'CMD ["--port", "80"]',
        'HEALTHCHECK --interval=1m30s --timeout=5s --retries=3 CMD curl -f http://x/',
        'HEALTHCHECK NONE',
      ].join('\n'),
    );
    const changes = build?.steps.map((step) =>
      step.kind === 'config' ? step.changes : step,
    );
    assert.deepEqual(changes, [
      { Env: { PATH: '/bin', OTHER: 'x' } },
      { Env: { GREETING: 'hello world' } },
      { Labels: { a: '1', 'b c': 'two words' } },
      { WorkingDir: '/srv' },
      { WorkingDir: '/srv/app' },
      { User: '1000:1000' },
      { ExposedPorts: ['80/tcp', '53/udp', '8000/tcp', '8001/tcp'] },
      { Volumes: ['/data', '/cache'] },
      { Volumes: ['/logs'] },
      { StopSignal: 'SIGTERM' },
      { Shell: ['/bin/bash', '-c'] },
      { Entrypoint: ['/bin/bash', '-c', 'run $HOME'] },
      { Cmd: ['--port', '80'] },
      {
        Healthcheck: {
          Test: ['CMD-SHELL', 'curl -f http://x/'],
          Interval: 90e9,
          Timeout: 5e9,
          Retries: 3,
        },
      },
      { Healthcheck: { Test: ['NONE'] } },
    ]);
    assert.equal(build?.steps[12]?.createdBy, 'CMD ["--port", "80"]');
  });

  it("starts a stage whose base sets no PATH with BuildKit's, unrecorded", async () => {
    const [build] = await plan('FROM scratch\nENV BIN=$PATH:/opt/bin\n');
    const path = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
    assert.deepEqual(build?.initialConfig, { Env: { PATH: path } });
    assert.deepEqual(build?.steps, [
      {
        kind: 'config',
        changes: { Env: { BIN: `${path}:/opt/bin` } },
        createdBy: 'ENV BIN=$PATH:/opt/bin',
      },
    ]);
    // A later stage on this one inherits it; a base with its own PATH keeps it.
    const [derived] = await plan('FROM scratch AS a\nFROM a\nENV X=1\n');
    assert.deepEqual(derived?.initialConfig, { Env: { PATH: path } });
    const facts = async () => ({ env: ['PATH=/bin'] });
    const [onBase] = await plan(
      'FROM example.com/base:1\nENV X=$PATH\n',
      {},
      {
        baseFacts: facts,
      },
    );
    assert.equal(onBase?.initialConfig, undefined);
    const windows = { os: 'windows', architecture: 'amd64' };
    const [other] = await plan('FROM scratch\n', {}, { platforms: [windows] });
    assert.equal(other?.initialConfig, undefined);
    assert.deepEqual(onBase?.steps[0], {
      kind: 'config',
      changes: { Env: { X: '/bin' } },
      createdBy: 'ENV X=$PATH',
    });
  });

  it('lets ENV shadow ARG and sees values of earlier instructions only', async () => {
    const [build] = await plan(
      [
        'FROM scratch',
        'ARG V=from-arg',
        'ENV A=$V',
        'ENV V=from-env B=$V',
        'ENV C=$V',
      ].join('\n'),
    );
    const env = build?.steps.map((step) =>
      step.kind === 'config' ? step.changes.Env : 0,
    );
    assert.deepEqual(env, [
      { A: 'from-arg' },
      { V: 'from-env', B: 'from-arg' },
      { C: 'from-env' },
    ]);
  });
});

describe('Dockerfile ARG scopes and platforms', () => {
  it('uses global ARGs in FROM, re-declared ARGs and build args in a stage', async () => {
    const [build] = await plan(
      [
        'ARG BASE=scratch',
        'ARG VERSION=1.0',
        'FROM ${BASE}',
        'LABEL outside=${VERSION}',
        'ARG VERSION',
        'ARG OTHER=default',
        'LABEL inside=${VERSION} other=${OTHER}',
      ].join('\n'),
      {},
      { buildArgs: { OTHER: 'given' } },
    );
    assert.equal(build?.base, 'scratch');
    const labels = build?.steps.map((step) =>
      step.kind === 'config' ? step.changes.Labels : 0,
    );
    assert.deepEqual(labels, [{ outside: '' }, { inside: '1.0', other: 'given' }]);
  });

  it('gives each platform its TARGETARCH and reports unused build args', async () => {
    let unused: string[] = [];
    const builds = await plan(
      [
        'FROM scratch',
        'ARG TARGETARCH',
        'COPY dist/${TARGETARCH}/tool /usr/local/bin/',
      ].join('\n'),
      { 'dist/amd64/tool': 'x86', 'dist/arm64/tool': 'arm' },
      {
        platforms: [AMD64, ARM64],
        buildArgs: { NOPE: '1' },
        onUnusedArgs: (n) => {
          unused = n;
        },
      },
    );
    const sources = builds.map((build) => {
      const step = build.steps[0];
      return step?.kind === 'layer' ? step.inputs : [];
    });
    assert.match(
      JSON.stringify(sources[0]),
      /dist\/amd64\/tool.*"destination":"\/usr\/local\/bin\/tool"/,
    );
    assert.match(JSON.stringify(sources[1]), /dist\/arm64\/tool/);
    assert.deepEqual(
      builds.map((build) => build.platform.architecture),
      ['amd64', 'arm64'],
    );
    assert.deepEqual(unused, ['NOPE']);
  });

  it('builds only the stages the target needs, and --target picks a stage', async () => {
    const text = [
      'FROM scratch AS unused',
      'RUN make',
      'FROM scratch AS base',
      'ENV STAGE=base',
      'FROM base AS final',
      'ENV MORE=1',
      'FROM scratch',
      'RUN never',
    ].join('\n');
    const [build] = await plan(text, {}, { target: 'final' });
    const env = build?.steps.map((step) =>
      step.kind === 'config' ? step.changes.Env : 0,
    );
    assert.deepEqual(env, [{ STAGE: 'base' }, { MORE: '1' }]);
    await assert.rejects(
      plan(text, {}, { target: 'missing' }),
      /no stage named "missing"/,
    );
  });
});
