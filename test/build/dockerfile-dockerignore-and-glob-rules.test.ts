import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compilePattern } from '../../src/build/dockerfile-glob.js';
import { loadContext } from '../../src/build/dockerfile-tree.js';
import { DockerIgnore } from '../../src/build/dockerignore.js';
import { tempDir } from './support.js';

/**
 * `.dockerignore` as Docker reads it, and path patterns as Go's
 * `filepath.Match` plus `**` match them.
 */
describe('path patterns', () => {
  const cases: [string, string, boolean][] = [
    ['*.go', 'main.go', true],
    ['*.go', 'cmd/main.go', false],
    ['*/*.go', 'cmd/main.go', true],
    ['?.txt', 'a.txt', true],
    ['?.txt', 'ab.txt', false],
    ['[a-c].txt', 'b.txt', true],
    ['[^a-c].txt', 'b.txt', false],
    ['[!a-c].txt', 'd.txt', true],
    ['**/*.md', 'README.md', true],
    ['**/*.md', 'docs/deep/x.md', true],
    ['docs/**', 'docs/a/b', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['dist/amd64/tool', 'dist/amd64/tool', true],
  ];
  for (const [pattern, path, expected] of cases) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${path}`, () => {
      assert.equal(compilePattern(pattern).matches(path), expected);
    });
  }
});

describe('.dockerignore', () => {
  const ignore = DockerIgnore.parse(
    [
      '# comment',
      '',
      '/node_modules',
      '*.log',
      '**/*.tmp',
      'docs',
      '!docs/keep.md',
      'build/',
      '  spaced.txt  ',
    ].join('\n'),
  );

  it('excludes matching paths and everything inside matching folders', () => {
    assert.equal(ignore.excludes('node_modules'), true);
    assert.equal(ignore.excludes('node_modules/x/index.js'), true);
    assert.equal(ignore.excludes('app.log'), true);
    assert.equal(ignore.excludes('sub/app.log'), false);
    assert.equal(ignore.excludes('a/b/c.tmp'), true);
    assert.equal(ignore.excludes('build/out.bin'), true);
    assert.equal(ignore.excludes('spaced.txt'), true);
    assert.equal(ignore.excludes('src/main.go'), false);
  });

  it('lets a later ! exception bring a path back, and the last match decides', () => {
    assert.equal(ignore.excludes('docs/other.md'), true);
    assert.equal(ignore.excludes('docs/keep.md'), false);
    const again = DockerIgnore.parse('!a.txt\n*.txt');
    assert.equal(again.excludes('a.txt'), true);
  });

  it('never skips a folder whole when an exception could reach inside', () => {
    assert.equal(ignore.skipsFolder('docs'), false);
    assert.equal(DockerIgnore.parse('docs').skipsFolder('docs'), true);
  });
});

describe("a Dockerfile's own ignore file", () => {
  it('is read instead of .dockerignore when it exists, as BuildKit does', async () => {
    const context = await tempDir('gantry-own-ignore-');
    await mkdir(join(context, 'src'));
    for (const name of ['a.txt', 'b.txt'])
      await writeFile(join(context, 'src', name), name);
    await writeFile(join(context, '.dockerignore'), 'src/a.txt\n');
    await writeFile(join(context, 'app.Dockerfile.dockerignore'), 'src/b.txt\n');

    const files = async (ignoreFile?: string) => {
      const tree = await loadContext(context, ignoreFile);
      return ['src/a.txt', 'src/b.txt'].filter((path) => tree.get(path) !== undefined);
    };
    assert.deepEqual(await files(join(context, 'app.Dockerfile.dockerignore')), [
      'src/a.txt',
    ]);
    // No such file beside the Dockerfile: the context's .dockerignore counts.
    assert.deepEqual(await files(join(context, 'Dockerfile.dockerignore')), [
      'src/b.txt',
    ]);
    assert.deepEqual(await files(), ['src/b.txt']);
  });
});
