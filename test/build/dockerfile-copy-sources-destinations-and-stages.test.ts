import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { PlatformBuild } from '../../src/build/build-image.js';
import { parseDockerfile } from '../../src/build/dockerfile-parse.js';
import { planDockerfile } from '../../src/build/dockerfile-plan.js';
import type { LayerInput } from '../../src/build/entries.js';
import { buildLayer } from '../../src/build/index.js';
import { tarOneFile } from '../harness/images.js';
import { blobTar, byPath, listTar, tempDir } from './support.js';

/**
 * COPY and ADD: sources from the build context with .dockerignore applied,
 * globs, destination rules, --chmod and --chown, ADD extracting local
 * tarballs, and COPY --from a stage gantry evaluated itself.
 */
const AMD64 = { os: 'linux', architecture: 'amd64' };

async function context(files: Record<string, string | Buffer>): Promise<string> {
  const root = await tempDir('gantry-dockerfile-copy-');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

async function plan(root: string, text: string): Promise<PlatformBuild> {
  const builds = await planDockerfile(parseDockerfile(text), {
    context: root,
    platforms: [AMD64],
  });
  return builds[0]!;
}

/** Destination → a short description of each input of the layer steps. */
function layout(build: PlatformBuild, root: string): Record<string, string>[] {
  return build.steps.map((step) => {
    const out: Record<string, string> = {};
    for (const input of step.kind === 'layer' ? step.inputs : [])
      describe1(input, root, out);
    return out;
  });
}

function describe1(input: LayerInput, root: string, out: Record<string, string>): void {
  if ('source' in input) {
    const mode = input.mode === undefined ? '' : ` ${input.mode.toString(8)}`;
    const extract = input.extract === true ? ' extract' : '';
    const owner =
      input.uid === undefined
        ? ' own-owners'
        : input.uid === 0 && input.gid === 0
          ? ''
          : ` ${input.uid}:${input.gid}`;
    out[input.destination] =
      `${input.source.slice(root.length + 1)}${mode}${owner}${extract}`;
  } else if ('directory' in input && input.directory !== undefined) {
    out[input.directory] = 'dir';
  } else if ('symlink' in input) {
    out[input.destination] = `-> ${input.symlink}`;
  }
}

describe('COPY from the build context', () => {
  it('copies files, folder contents and globs, relative to WORKDIR', async () => {
    const root = await context({
      'bin/a': 'a',
      'bin/b': 'b',
      'conf/app.yaml': 'y',
      'conf/skip.log': 'l',
      'README.md': 'r',
      '.dockerignore': '*.md\n**/*.log\n',
    });
    await symlink('bin/a', join(root, 'link'));
    await symlink('../bin/b', join(root, 'conf/b-link'));
    const build = await plan(
      root,
      [
        'FROM scratch',
        'WORKDIR /app',
        'COPY bin/a one',
        'COPY bin/? tools/',
        'COPY conf .',
        'COPY --chmod=0700 --chown=10:20 ["bin/b", "/opt/b"]',
        'COPY link /link',
        'COPY conf /etc/app/',
      ].join('\n'),
    );
    const [, one, tools, conf, chmod, link, inside] = layout(build, root);
    assert.equal(one?.['/app/one']?.startsWith('bin/a '), true);
    assert.deepEqual(Object.keys(tools ?? {}), ['/app/tools/a', '/app/tools/b']);
    assert.deepEqual(conf, {
      '/app': 'dir',
      '/app/app.yaml': 'conf/app.yaml 644',
      '/app/b-link': '-> ../bin/b',
    });
    assert.deepEqual(chmod, { '/opt/b': 'bin/b 700 10:20' });
    // A symlink named as the source is followed (as BuildKit does); one
    // inside a copied folder stays a symlink.
    assert.deepEqual(link, { '/link': 'bin/a 644' });
    assert.equal(inside?.['/etc/app/b-link'], '-> ../bin/b');
    assert.equal(build.steps[1]?.createdBy, 'COPY bin/a one # gantry');
  });

  it('refuses what Docker refuses, naming the line', async () => {
    const root = await context({
      'a.txt': 'a',
      'b.txt': 'b',
      'ignored.md': 'x',
      '.dockerignore': '*.md',
    });
    const cases: [string, RegExp, string][] = [
      [
        'COPY *.txt /one',
        /Dockerfile:2: COPY of several sources needs a folder destination/,
        'GANTRY_E_BUILD_INPUT',
      ],
      [
        'COPY missing /x',
        /Dockerfile:2: COPY source "missing" not found in build context/,
        'GANTRY_E_BUILD_INPUT',
      ],
      ['COPY ignored.md /x', /not found in build context/, 'GANTRY_E_BUILD_INPUT'],
      [
        'COPY --chmod=rw a.txt /x',
        /--chmod "rw" is not an octal mode/,
        'GANTRY_E_BUILD_INPUT',
      ],
      [
        'COPY --chown=app a.txt /x',
        /Dockerfile:2: --chown=app: a scratch stage has no \/etc\/passwd/,
        'GANTRY_E_BUILD_INPUT',
      ],
      [
        'ADD https://example.com/x.tgz /x',
        /Dockerfile:2: ADD of a URL or git repository/,
        'GANTRY_E_UNSUPPORTED',
      ],
      [
        'ADD git@github.com:a/b.git /x',
        /ADD of a URL or git repository/,
        'GANTRY_E_UNSUPPORTED',
      ],
      [
        'COPY --from=alpine:3 /etc/passwd /x',
        /Dockerfile:2: COPY --from alpine:3 needs that image's layers/,
        'GANTRY_E_UNSUPPORTED',
      ],
    ];
    for (const [line, message, code] of cases) {
      await assert.rejects(plan(root, `FROM scratch\n${line}`), { code, message }, line);
    }
  });

  it('names the base image when --chown uses a name there', async () => {
    const root = await context({ 'a.txt': 'a' });
    await assert.rejects(
      plan(root, 'FROM example.com/base:1\nCOPY --chown=app:app a.txt /x'),
      {
        code: 'GANTRY_E_UNSUPPORTED',
        message:
          /Dockerfile:2: --chown=app:app: user and group names need the base image's/,
      },
    );
  });
});

describe('COPY destinations', () => {
  it('copies into a folder the stage wrote even without a trailing /', async () => {
    const root = await context({ 'conf/app.yaml': 'y', tool: 't' });
    const build = await plan(
      root,
      'FROM scratch\nCOPY conf /etc/app/\nCOPY tool /etc/app',
    );
    assert.deepEqual(Object.keys(layout(build, root)[1] ?? {}), ['/etc/app/tool']);
  });

  it('refuses here-documents and paths inside an added archive', async () => {
    const root = await context({ 'a.tar': tarOneFile('in.txt', Buffer.from('x')) });
    await assert.rejects(plan(root, 'FROM scratch\nCOPY <<EOF /x'), {
      code: 'GANTRY_E_UNSUPPORTED',
      message: /Dockerfile:2: COPY with a here-document/,
    });
    const text =
      'FROM scratch AS s\nADD a.tar /x\nFROM scratch\nCOPY --from=s /x/in.txt /y';
    await assert.rejects(plan(root, text), {
      code: 'GANTRY_E_UNSUPPORTED',
      message:
        /Dockerfile:4: COPY source "\/x\/in.txt" is inside the archive added at \/x/,
    });
  });
});

describe('ADD of local tarballs', () => {
  it('extracts a tar or tar.gz into the destination and copies other files', async () => {
    const tar = tarOneFile('inside.txt', Buffer.from('x'));
    const root = await context({
      'a.tar': tar,
      'b.tar.gz': gzipSync(tar),
      'plain.txt': 'p',
    });
    const build = await plan(
      root,
      'FROM scratch\nADD a.tar /x\nADD b.tar.gz plain.txt /y/\nADD --chown=5:6 a.tar /z',
    );
    // An extracted tarball keeps its entries' owners unless --chown says.
    assert.deepEqual(layout(build, root), [
      { '/x/': 'a.tar own-owners extract' },
      {
        '/y/': 'b.tar.gz own-owners extract',
        '/y/plain.txt': `plain.txt ${(0o644).toString(8)}`,
      },
      { '/z/': 'a.tar 5:6 extract' },
    ]);
  });
});

describe('COPY --from a stage', () => {
  it('reads what the scratch stage copied, not its layers', async () => {
    const root = await context({ 'dist/amd64/tool': 'x', 'dist/amd64/lib/l.so': 'l' });
    const build = await plan(
      root,
      [
        'FROM scratch AS bin',
        'ARG TARGETARCH',
        'COPY dist/${TARGETARCH}/ /out/',
        'FROM scratch',
        'COPY --from=bin /out/tool /usr/local/bin/tool',
        'COPY --from=0 /out/lib /lib/',
        'COPY --from=bin /out/l* /glob/',
      ].join('\n'),
    );
    const [tool, lib, glob] = layout(build, root);
    assert.deepEqual(Object.keys(tool ?? {}), ['/usr/local/bin/tool']);
    assert.equal(tool?.['/usr/local/bin/tool']?.startsWith('dist/amd64/tool'), true);
    assert.deepEqual(Object.keys(lib ?? {}), ['/lib', '/lib/l.so']);
    // As Docker: a folder matched by a glob gives its contents, not itself.
    assert.deepEqual(Object.keys(glob ?? {}), ['/glob', '/glob/l.so']);
    assert.equal(build.steps.length, 3);
  });

  it("keeps the mode and owner the stage's COPY gave, unless this COPY says", async () => {
    const root = await context({ 'run.sh': '#!/bin/sh\n', 'conf/app.conf': 'c' });
    const build = await plan(
      root,
      [
        'FROM scratch AS build',
        'COPY --chmod=755 run.sh /app/run.sh',
        'COPY --chown=1000:1000 --chmod=600 conf /cc/',
        'FROM scratch',
        'COPY --from=build /app/run.sh /usr/local/bin/run.sh',
        'COPY --from=build /cc /cc2',
        'COPY --from=build --chown=7:8 --chmod=640 /cc/app.conf /x.conf',
      ].join('\n'),
    );
    const [run, folder, again] = layout(build, root);
    assert.equal(run?.['/usr/local/bin/run.sh'], 'run.sh 755');
    assert.equal(folder?.['/cc2/app.conf'], 'conf/app.conf 600 1000:1000');
    assert.equal(again?.['/x.conf'], 'conf/app.conf 640 7:8');
  });

  it('copies folders the stage only implied as parents, as Docker does', async () => {
    const root = await context({ 'conf/a.conf': 'a', 'conf/skip.txt': 's' });
    const build = await plan(
      root,
      [
        'FROM scratch AS files',
        'COPY conf/*.conf /out/conf/',
        'FROM scratch AS tree',
        'COPY conf /out/conf',
        'FROM scratch',
        'COPY --from=files /out/conf/ /etc/app/',
        'COPY --from=tree /out /o2',
        'COPY --from=files /out/* /glob/',
        'COPY --from=files /out /o3',
      ].join('\n'),
    );
    const [app, o2, glob] = layout(build, root);
    assert.deepEqual(Object.keys(app ?? {}), ['/etc/app', '/etc/app/a.conf']);
    assert.deepEqual(Object.keys(o2 ?? {}), [
      '/o2',
      '/o2/conf',
      '/o2/conf/a.conf',
      '/o2/conf/skip.txt',
    ]);
    assert.deepEqual(Object.keys(glob ?? {}), ['/glob', '/glob/a.conf']);

    // The implied folder is 0755 and 0:0, stamped like every other entry.
    const step = build.steps[3];
    assert.equal(step?.kind, 'layer');
    const layer = await buildLayer(step.kind === 'layer' ? step.inputs : [], {
      compression: 'gzip',
      tempDir: await tempDir(),
      epoch: 1_700_000_000,
    });
    const entries = byPath(await listTar(await blobTar(layer.path!)));
    const conf = entries.get('o3/conf');
    assert.deepEqual(
      [conf?.type, conf?.mode, conf?.uid, conf?.gid, conf?.mtime],
      ['directory', 0o755, 0, 0, 1_700_000_000],
    );
    assert.equal(entries.get('o3/conf/a.conf')?.content.toString(), 'a');
  });

  it('says a missing --from path is looked up in that stage', async () => {
    const root = await context({ 'conf/a.conf': 'a' });
    const text = [
      'FROM scratch AS files',
      'COPY conf/a.conf /out/conf/',
      'FROM scratch',
      'COPY --from=files /out/missing /x',
    ].join('\n');
    await assert.rejects(plan(root, text), {
      code: 'GANTRY_E_BUILD_INPUT',
      message: /Dockerfile:4: COPY source "\/out\/missing" not found in stage "files"/,
      hint: /looked up in the file system of stage "files", not in the build context/,
    });
  });

  it('refuses paths that may lie in the layers of an image base', async () => {
    const root = await context({ tool: 'x' });
    const text = [
      'FROM example.com/base:1 AS based',
      'COPY tool /own/tool',
      'FROM scratch',
      'COPY --from=based /own/tool /ok',
      'COPY --from=based /etc/os-release /x',
    ].join('\n');
    await assert.rejects(plan(root, text), {
      code: 'GANTRY_E_UNSUPPORTED',
      message: /Dockerfile:5: COPY source "\/etc\/os-release" may come from the layers/,
    });
    const ok = await plan(root, text.split('\n').slice(0, 4).join('\n'));
    assert.deepEqual(Object.keys(layout(ok, root)[0] ?? {}), ['/ok']);
  });
});
