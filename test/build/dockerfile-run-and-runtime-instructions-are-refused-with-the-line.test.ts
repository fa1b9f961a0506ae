import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDockerfile } from '../../src/build/dockerfile-parse.js';
import { planDockerfile } from '../../src/build/dockerfile-plan.js';
import { isGantryError } from '../../src/errors.js';
import { tempDir } from './support.js';

/**
 * RUN, ONBUILD and MAINTAINER stop the build with an error that names the
 * file and line and says what to do instead; for RUN, how to build that
 * stage with an external builder and hand gantry its OCI archive.
 */
const AMD64 = { os: 'linux', architecture: 'amd64' };

async function failure(text: string): Promise<unknown> {
  const context = await tempDir('gantry-dockerfile-run-');
  const parsed = parseDockerfile(text, 'docker/app.Dockerfile');
  return planDockerfile(parsed, { context, platforms: [AMD64] }).then(
    () => assert.fail('the plan should have failed'),
    (error: unknown) => error,
  );
}

describe('instructions that need a container runtime', () => {
  it('RUN names the file, line and stage and explains the external builder', async () => {
    const error = await failure(
      [
        'FROM scratch AS tools',
        'ENV A=1',
        'RUN apt-get update && \\',
        '  apt-get install -y curl',
      ].join('\n'),
    );
    assert.ok(isGantryError(error, 'GANTRY_E_BUILD_INPUT'));
    assert.match(
      error.message,
      /^docker\/app\.Dockerfile:3: RUN needs a container runtime/,
    );
    assert.match(error.message, /stage tools/);
    assert.match(
      error.hint ?? '',
      /docker buildx build --target tools --output type=oci,dest=stage\.tar/,
    );
    assert.match(error.hint ?? '', /buildah push stage oci-archive:stage\.tar/);
    assert.match(error.hint ?? '', /FROM oci-archive:stage\.tar/);
    assert.deepEqual(error.details, { file: 'docker/app.Dockerfile', line: 3 });
  });

  it('ONBUILD and MAINTAINER are refused with their replacement', async () => {
    const onbuild = await failure('FROM scratch\nONBUILD COPY . /app');
    assert.ok(isGantryError(onbuild, 'GANTRY_E_BUILD_INPUT'));
    assert.match(onbuild.message, /:2: ONBUILD is not supported/);
    const maintainer = await failure('FROM scratch\n\nMAINTAINER me');
    assert.ok(isGantryError(maintainer, 'GANTRY_E_BUILD_INPUT'));
    assert.match(maintainer.message, /:3: MAINTAINER/);
    assert.match(maintainer.hint ?? '', /org\.opencontainers\.image\.authors/);
  });

  it('bad values name their line too', async () => {
    const cases: [string, RegExp][] = [
      ['FROM scratch\nEXPOSE http', /:2: invalid port "http"/],
      ['FROM scratch\nSHELL /bin/sh -c', /:2: SHELL needs a JSON array/],
      [
        'FROM scratch\nHEALTHCHECK --interval=soon CMD true',
        /:2: --interval "soon" is not a duration/,
      ],
      ['FROM scratch\nHEALTHCHECK curl', /:2: HEALTHCHECK needs CMD or NONE/],
      ['FROM scratch\nENV =x', /:2: "=x" is not NAME=value/],
      ['FROM scratch\nCOPY onlyone', /:2: COPY needs a source and a destination/],
      ['FROM scratch\nLABEL a=${B:?required}', /:2: B: required/],
    ];
    for (const [text, message] of cases) {
      const error = await failure(text);
      assert.ok(isGantryError(error, 'GANTRY_E_BUILD_INPUT'), text);
      assert.match(error.message, message);
    }
  });
});
