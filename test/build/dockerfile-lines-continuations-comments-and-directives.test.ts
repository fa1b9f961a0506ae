import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitLines } from '../../src/build/dockerfile-lines.js';
import { parseDockerfile } from '../../src/build/dockerfile-parse.js';

/**
 * The first pass over a Dockerfile: directives, comments, continuations
 * with the escape character, line numbers, keywords in any case, exec
 * (JSON) and shell forms, flags, stages and global ARGs.
 */
describe('Dockerfile lines', () => {
  it('joins continuations, drops comments and keeps the first line number', () => {
    const text = [
      'FROM scratch',
      '# a comment',
      'ENV A=1 \\',
      '  # a comment inside the continuation',
      '',
      '    B=2',
      'label x=y',
    ].join('\n');
    const { lines } = splitLines(text, 'Dockerfile');
    assert.deepEqual(
      lines.map((line) => [line.line, line.keyword, line.rest]),
      [
        [1, 'FROM', 'scratch'],
        [3, 'ENV', 'A=1     B=2'],
        [7, 'LABEL', 'x=y'],
      ],
    );
  });

  it('takes the escape character from the escape directive', () => {
    const text =
      '# escape=`\n# syntax=docker/dockerfile:1\nFROM scratch\nCOPY a `\n  C:\\dir\\\n';
    const parsed = splitLines(text, 'Dockerfile');
    assert.equal(parsed.escapeChar, '`');
    assert.equal(parsed.directives.syntax, 'docker/dockerfile:1');
    assert.deepEqual(parsed.lines.at(-1), {
      line: 4,
      keyword: 'COPY',
      rest: 'a   C:\\dir\\',
    });
  });

  it('stops reading directives at the first other line', () => {
    const parsed = splitLines('FROM scratch\n# escape=`\n', 'Dockerfile');
    assert.equal(parsed.escapeChar, '\\');
    assert.deepEqual(parsed.directives, {});
  });

  it('refuses an escape character other than \\ and `', () => {
    assert.throws(() => splitLines('# escape=x\nFROM scratch', 'Dockerfile'), {
      code: 'GANTRY_E_BUILD_INPUT',
      message: /Dockerfile:1: invalid escape character "x"/,
    });
  });
});

describe('Dockerfile instructions and stages', () => {
  it('parses flags, JSON form, stages and global ARGs', () => {
    const parsed = parseDockerfile(
      [
        'ARG BASE=scratch',
        'from --platform=$BUILDPLATFORM ${BASE} AS Build',
        'copy --from=build --chmod=755 --link a b',
        'CMD ["run", "--fast"]',
        'CMD run --fast',
        'FROM build',
      ].join('\n'),
      'df',
    );
    assert.equal(parsed.globalArgs.length, 1);
    assert.equal(parsed.stages.length, 2);
    const [first, second] = parsed.stages;
    assert.equal(first?.name, 'build');
    assert.equal(first?.base, '${BASE}');
    assert.equal(first?.platform, '$BUILDPLATFORM');
    const [copy, exec, shell] = first?.instructions ?? [];
    assert.deepEqual(Object.fromEntries(copy?.flags ?? []), {
      from: 'build',
      chmod: '755',
      link: '',
    });
    assert.equal(copy?.text, 'a b');
    assert.deepEqual(exec?.json, ['run', '--fast']);
    assert.equal(shell?.json, undefined);
    assert.equal(shell?.text, 'run --fast');
    assert.equal(second?.base, 'build');
  });

  it('names the line of an unknown instruction, flag or misplaced instruction', () => {
    const cases: [string, RegExp][] = [
      ['FROM scratch\nFETCH x', /df:2: unknown instruction FETCH/],
      ['FROM scratch\nCOPY --mode=1 a b', /df:2: unknown flag --mode for COPY/],
      ['ENV A=1\nFROM scratch', /df:1: ENV before the first FROM/],
      ['FROM a AS x\nFROM b AS X', /df:2: stage name "x" is used twice/],
      ['FROM a AS', /df:1: FROM takes an image/],
      ['ARG A', /df:1: no FROM instruction/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseDockerfile(text, 'df'), {
        code: 'GANTRY_E_BUILD_INPUT',
        message,
      });
    }
  });
});

describe('Dockerfile here-documents', () => {
  it('skips their bodies so the instruction is refused at its own line', () => {
    const text = [
      'FROM scratch',
      'RUN <<EOF',
      'apt-get update',
      'EOF',
      'COPY <<-"END" /x',
      '\tsome text',
      '\tEND',
      'ENV A=1',
    ].join('\n');
    const { lines } = splitLines(text, 'Dockerfile');
    assert.deepEqual(
      lines.map((line) => [line.line, line.keyword, line.rest]),
      [
        [1, 'FROM', 'scratch'],
        [2, 'RUN', '<<EOF'],
        [5, 'COPY', '<<-"END" /x'],
        [8, 'ENV', 'A=1'],
      ],
    );
  });
});
