import { after, test } from 'node:test';
import fc from 'fast-check';
import { parseDockerfile } from '../../src/build/dockerfile-parse.js';
import { nextLink, parseLinkHeader } from '../../src/registry/link.js';
import { parseReleaseFile } from '../../src/release/file.js';
import { MAX_INPUT, onlyGantryErrors, tried } from './support.js';

/**
 * Text from outside: `Link` headers from registries, release files and
 * Dockerfiles from repositories. Random text and text built from each
 * grammar's own pieces is read or refused with a GantryError only.
 */

after(() =>
  console.log(`fuzz: Link, release file, Dockerfile: ${tried.inputs} inputs tried`),
);

/** Text made of a grammar's own tokens, so parsers get past the first check. */
function textOf(pieces: string[]): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 12 })), {
      maxLength: 60,
    })
    .map((parts) => parts.join('').slice(0, MAX_INPUT));
}

const linkText = fc.oneof(
  fc.string({ maxLength: 300 }),
  textOf([
    '<',
    '>',
    ';',
    ',',
    'rel=',
    '"next"',
    'next',
    '=',
    '"',
    '/v2/a/tags/list?n=1',
    ' ',
  ]),
);

const releaseText = fc.oneof(
  fc.string({ maxLength: 500 }),
  textOf([
    '\n',
    '  ',
    '- ',
    ': ',
    'destinations: ',
    '[localhost:5000/a, oci:x]',
    'base:',
    'files:',
    'from: ',
    'to: ',
    'variants:',
    'tags:',
    'platforms: [linux/amd64]',
    '&a ',
    '*a',
    '<<: *a',
    '!!binary ',
    '{',
    '}',
    '"',
    "'",
    '#',
    '---\n',
    '$TARGETARCH',
  ]),
);

const dockerfileText = fc.oneof(
  fc.string({ maxLength: 500 }),
  textOf([
    '\n',
    '\\\n',
    '# escape=`\n',
    '# syntax=docker/dockerfile:1\n',
    'FROM ',
    'scratch',
    ' AS b',
    'ARG ',
    'ENV ',
    'COPY ',
    'ADD ',
    '--from=b ',
    '--chmod=755 ',
    'WORKDIR ',
    'LABEL ',
    'ENTRYPOINT ["a"]',
    'CMD [',
    '${A:-b}',
    '$A',
    '${',
    '<<EOF\n',
    'EOF\n',
    '=',
    '"',
    ' ',
  ]),
);

test('parseLinkHeader and nextLink refuse hostile Link headers only with gantry errors', () => {
  onlyGantryErrors('parseLinkHeader', linkText, (text) => parseLinkHeader(text));
  onlyGantryErrors('nextLink', linkText, (text) => nextLink(text, 'http://r.test/v2/x'));
});

test('parseReleaseFile refuses hostile release files only with gantry errors', () => {
  onlyGantryErrors('parseReleaseFile', releaseText, (text) => parseReleaseFile(text));
});

test('parseDockerfile refuses hostile Dockerfiles only with gantry errors', () => {
  onlyGantryErrors('parseDockerfile', dockerfileText, (text) => parseDockerfile(text));
});
