import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandWord, splitWords } from '../../src/build/dockerfile-words.js';

/**
 * Variable replacement and word splitting as the Dockerfile reference
 * describes them ("Environment replacement").
 */
const position = { file: 'Dockerfile', line: 7 };
const variables = new Map([
  ['NAME', 'tool'],
  ['EMPTY', ''],
  ['ARCH', 'arm64'],
]);
const expand = (word: string) => expandWord(word, variables, '\\', position);

describe('Dockerfile variables', () => {
  it('replaces $VAR and ${VAR}; unknown names become empty', () => {
    assert.equal(expand('dist/$ARCH/$NAME'), 'dist/arm64/tool');
    assert.equal(expand('${NAME}_x'), 'tool_x');
    assert.equal(expand('a$UNSET.b'), 'a.b');
    assert.equal(expand('cost$'), 'cost$');
  });

  it('applies the :- - :+ + modifiers with POSIX empty-value rules', () => {
    assert.equal(expand('${UNSET:-def}'), 'def');
    assert.equal(expand('${EMPTY:-def}'), 'def');
    assert.equal(expand('${EMPTY-def}'), '');
    assert.equal(expand('${NAME:-def}'), 'tool');
    assert.equal(expand('${NAME:+alt}'), 'alt');
    assert.equal(expand('${EMPTY:+alt}'), '');
    assert.equal(expand('${EMPTY+alt}'), 'alt');
    assert.equal(expand('${UNSET:-${NAME}-x}'), 'tool-x');
  });

  it('keeps single quotes literal, replaces in double quotes, honours escapes', () => {
    assert.equal(expand("'$NAME'"), '$NAME');
    assert.equal(expand('"$NAME and more"'), 'tool and more');
    assert.equal(expand('\\$NAME'), '$NAME');
    assert.equal(expandWord('`$NAME', variables, '`', position), '$NAME');
  });

  it('fails with the line on ${VAR:?} and on a bad substitution', () => {
    assert.throws(() => expand('${UNSET:?must be set}'), {
      code: 'GANTRY_E_BUILD_INPUT',
      message: /Dockerfile:7: UNSET: must be set/,
    });
    assert.throws(() => expand('${NAME'), { message: /Dockerfile:7: .*not closed/ });
    assert.throws(() => expand('${1x}'), { message: /Dockerfile:7: bad substitution/ });
  });

  it('splits words on unquoted whitespace, keeping quotes for replacement', () => {
    assert.deepEqual(splitWords('a "b c" d\\ e  \'f g\'', '\\'), [
      'a',
      '"b c"',
      'd\\ e',
      "'f g'",
    ]);
    assert.deepEqual(splitWords('  ', '\\'), []);
  });
});
