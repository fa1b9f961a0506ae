import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { ReleaseRecord } from '../../src/release/record.js';
import { type GantryRun, runGantry } from '../harness/cli.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir } from '../harness/temp-dir.js';
import { access, uniqueRepository } from './support.js';

/**
 * `gantry release` inside a simulated GitHub Actions job: GITHUB_ACTIONS,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY point at temporary files, the
 * release goes to a real registry, and the files are parsed back the way
 * the runner reads them. Each output is checked against the record, a
 * record path with a line break takes the delimited form, the summary has
 * a row per image with its digest and tags, a dry-run writes its own
 * outputs, a second run reports `changed=false`, a release assembled
 * `--from-digests` writes them too, no password reaches either file, and
 * outside Actions nothing is written.
 */

const VERSION = '2.3.4';

let work = '';

before(async () => {
  work = await makeTempDir('gantry-release-actions-');
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
});

async function releaseFile(repository: string): Promise<string> {
  const path = join(work, `release-${repository.split('/').pop()}.yaml`);
  const text = [
    `destinations: [${repository}]`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /usr/local/bin/tool',
    'tags: { base: ["{{version}}", "{{major}}"] }',
  ].join('\n');
  await writeFile(path, text);
  return path;
}

interface ActionsFiles {
  env: Record<string, string>;
  output: string;
  summary: string;
}

async function actionsFiles(label: string): Promise<ActionsFiles> {
  const output = join(work, `${label}-output`);
  const summary = join(work, `${label}-summary.md`);
  // The runner creates both files empty before the step runs.
  await Promise.all([writeFile(output, ''), writeFile(summary, '')]);
  const env = {
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
  };
  return { env, output, summary };
}

/** Reads a GITHUB_OUTPUT file as the runner does: `k=v` or `k<<D`...`D`. */
function parseOutputs(text: string): {
  values: Map<string, string>;
  delimiters: string[];
} {
  const values = new Map<string, string>();
  const delimiters: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([\w-]+)<<(.+)$/.exec(line);
    if (heredoc === null) {
      const eq = line.indexOf('=');
      assert.ok(eq > 0, `an output line is name=value: ${JSON.stringify(line)}`);
      values.set(line.slice(0, eq), line.slice(eq + 1));
      continue;
    }
    const [, name, delimiter] = heredoc as unknown as [string, string, string];
    const end = lines.indexOf(delimiter, i + 1);
    assert.ok(end > i, `delimiter ${delimiter} closes ${name}`);
    values.set(name, lines.slice(i + 1, end).join('\n'));
    delimiters.push(delimiter);
    i = end;
  }
  return { values, delimiters };
}

async function release(
  registry: TestRegistry,
  args: string[],
  env: Record<string, string>,
): Promise<GantryRun> {
  const { flags, input } = access(registry);
  const run = await runGantry([...flags, 'release', `--version=${VERSION}`, ...args], {
    env,
    cwd: work,
    ...(input === undefined ? {} : { input }),
  });
  assert.equal(run.code, 0, run.stderr);
  return run;
}

describe('gantry release in GitHub Actions', () => {
  let plain: TestRegistry;
  before(async () => {
    plain = (await getRegistries()).plain;
  });

  it('writes every output from the record and a summary row per image', async () => {
    const repository = uniqueRepository(plain, 'actions');
    const file = await releaseFile(repository);
    const files = await actionsFiles('first');
    // A line break in the record's path must not forge another output.
    const recordFile = join(work, 'record\nchanged=false.json');
    await release(plain, ['--record', recordFile, file], files.env);

    const record = JSON.parse(await readFile(recordFile, 'utf8')) as ReleaseRecord;
    const { values, delimiters } = parseOutputs(await readFile(files.output, 'utf8'));
    const base = record.images.find((image) => image.name === 'base')!;
    assert.equal(values.get('version'), VERSION);
    assert.equal(values.get('digest'), base.digest);
    assert.deepEqual(JSON.parse(values.get('digests')!), { base: base.digest });
    assert.deepEqual(
      JSON.parse(values.get('tags')!),
      record.tags.map((tag) => `${tag.destination}:${tag.tag}`),
    );
    const refs = [VERSION, '2', 'latest'].map((tag) => `${repository}:${tag}`);
    assert.deepEqual(
      (JSON.parse(values.get('tags')!) as string[]).toSorted(),
      refs.toSorted(),
    );
    assert.equal(values.get('record'), recordFile);
    assert.equal(values.get('changed'), 'true');
    assert.equal(values.get('dry-run'), 'false');
    assert.equal(values.get('verified'), 'true');
    assert.equal(delimiters.length, 1, 'only the record path needs a delimiter');
    assert.ok(!recordFile.includes(delimiters[0]!));

    const summary = await readFile(files.summary, 'utf8');
    assert.match(
      summary,
      new RegExp(`^## gantry release ${VERSION.replace(/\./g, '\\.')}`),
    );
    const rows = summary.split('\n').filter((line) => line.startsWith('| base'));
    assert.equal(rows.length, 1);
    const cells = rows[0]!.split(' | ');
    assert.equal(cells[1], 'linux/amd64, linux/arm64');
    assert.equal(cells[2], `\`${base.digest}\``);
    assert.equal(cells[3], repository);
    const tags = cells[4]!.replace(/ \|$/, '').split(', ').toSorted();
    assert.deepEqual(tags, ['`2` new', `\`${VERSION}\` new`, '`latest` new'].toSorted());
    assert.match(summary, /^Tags: 3 new, 0 moved, 0 unchanged/m);
    assert.match(summary, /^Verification: passed \(\d+ checks\)\./m);
  });

  it('reports a dry-run, then a repeated release as unchanged; appends', async () => {
    const repository = uniqueRepository(plain, 'actions-again');
    const file = await releaseFile(repository);
    await release(plain, ['--record', join(work, 'again-1.json'), file], {});

    const files = await actionsFiles('again');
    await writeFile(files.summary, '# earlier step\n');
    await release(plain, ['--dry-run', file], files.env);
    const dry = parseOutputs(await readFile(files.output, 'utf8')).values;
    assert.equal(dry.get('dry-run'), 'true');
    assert.equal(dry.get('changed'), 'false');
    assert.equal(dry.get('record'), '');
    assert.equal(dry.get('verified'), '');

    await writeFile(files.output, '');
    await release(plain, ['--record', join(work, 'again-2.json'), file], files.env);
    const real = parseOutputs(await readFile(files.output, 'utf8')).values;
    assert.equal(real.get('changed'), 'false');
    assert.equal(
      real.get('digest'),
      dry.get('digest'),
      'the dry-run digest is the real one',
    );

    const summary = await readFile(files.summary, 'utf8');
    assert.ok(summary.startsWith('# earlier step\n'), 'the summary is appended to');
    assert.match(summary, /\(dry-run: nothing written\)/);
    assert.match(summary, /Verification: not run \(a dry-run writes nothing/);
    assert.equal(summary.match(/`latest` unchanged/g)?.length, 2);
  });

  it('writes no password into either file', async () => {
    const basic = (await getRegistries()).basic;
    const repository = uniqueRepository(basic, 'actions-secret');
    const file = await releaseFile(repository);
    const files = await actionsFiles('secret');
    await release(basic, ['--record', join(work, 'secret.json'), file], files.env);

    const output = await readFile(files.output, 'utf8');
    const written = `${output}${await readFile(files.summary, 'utf8')}`;
    assert.match(written, /verified=true/);
    for (const password of Object.values(basic.users ?? {})) {
      assert.ok(
        !written.includes(password),
        'a registry password is in the Actions files',
      );
    }
  });

  it('writes the outputs of a release assembled --from-digests', async () => {
    const repository = uniqueRepository(plain, 'actions-digests');
    await writeFile(
      join(work, 'Dockerfile'),
      'FROM scratch\nARG TARGETARCH\nCOPY dist/$TARGETARCH/tool /tool\n',
    );
    const metadata: string[] = [];
    for (const arch of ['amd64', 'arm64']) {
      metadata.push(join(work, `digests-${arch}.json`));
      const build = await runGantry(
        [
          'build',
          '--platform',
          `linux/${arch}`,
          '--push-by-digest',
          `${repository}-ci`,
        ].concat(['--metadata-file', metadata.at(-1)!, work]),
        { cwd: work },
      );
      assert.equal(build.code, 0, build.stderr);
    }
    const file = await releaseFile(repository);
    const files = await actionsFiles('digests');
    const recordFile = join(work, 'digests-record.json');
    await release(
      plain,
      ['--record', recordFile, file, '--from-digests', ...metadata],
      files.env,
    );

    const record = JSON.parse(await readFile(recordFile, 'utf8')) as ReleaseRecord;
    const { values } = parseOutputs(await readFile(files.output, 'utf8'));
    assert.equal(values.get('digest'), record.images[0]!.digest);
    assert.equal(values.get('changed'), 'true');
    assert.equal(values.get('verified'), 'true', 'read back like any release');
    assert.equal(JSON.parse(values.get('tags')!).length, record.tags.length);
    const summary = await readFile(files.summary, 'utf8');
    assert.match(summary, /^Verification: passed \(\d+ checks\)/m);
  });

  it('writes nothing outside Actions, and plain lines off a terminal', async () => {
    const repository = uniqueRepository(plain, 'actions-off');
    const file = await releaseFile(repository);
    const files = await actionsFiles('off');
    const run = await release(plain, ['--record', join(work, 'off.json'), file], {
      ...files.env,
      GITHUB_ACTIONS: '',
    });

    assert.equal(await readFile(files.output, 'utf8'), '');
    assert.equal(await readFile(files.summary, 'utf8'), '');
    assert.ok(!run.stderr.includes('\x1b['), 'no cursor movement on a pipe');
    assert.match(
      run.stderr,
      /^building base \(image 1\/1: linux\/amd64, linux\/arm64\)$/m,
    );
    assert.match(run.stderr, new RegExp(`^tag ${repository}:latest new`, 'm'));
  });
});
