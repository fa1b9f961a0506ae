import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import { Reference } from '../../src/reference/reference.js';
import { listTags } from '../../src/registry/tags.js';
import { fetchSession, startScripted } from '../harness/scripted.js';

// Field case BR-22: tag lists come in pages linked with `Link: <...>;
// rel="next"`; every page is read, targets are followed verbatim (opaque
// tokens are not decoded), relative or absolute.

function page(tags: string[], link?: string) {
  return (_req?: unknown, _body?: unknown) => ({
    status: 200,
    headers: {
      'content-type': 'application/json',
      ...(link === undefined ? {} : { link }),
    },
    body: JSON.stringify({ name: 'org/app', tags }),
  });
}

test('three pages are joined via opaque, relative and absolute links', async () => {
  let base = '';
  const opaque = '/v2/org/app/tags/list?next_page=gAAAAABg1i7j%3D&n=50';
  const server = await startScripted([
    {
      method: 'GET',
      path: '/v2/org/app/tags/list',
      reply: page(['1.0', '1.1'], `<${opaque}>; rel="next"`),
    },
    {
      method: 'GET',
      // The token's %3D arrives as sent: not decoded to "=", not re-encoded.
      path: opaque,
      reply: (req, body) => {
        const next = `<${base}/v2/org/app/tags/list?n=100&last=2.0>; rel="next"`;
        return page(['2.0'], next)(req, body);
      },
    },
    {
      method: 'GET',
      path: '/v2/org/app/tags/list?n=100&last=2.0',
      reply: page(['latest']),
    },
  ]);
  base = server.url;
  try {
    const repo = Reference.parseRepository(`${server.host}/org/app`);
    const tags = await listTags(fetchSession(server.url), repo);

    assert.deepEqual(tags, ['1.0', '1.1', '2.0', 'latest']);
    server.assertDone();
  } finally {
    await server.close();
  }
});

test('a page size is asked with n; a page without Link ends the list', async () => {
  const server = await startScripted([
    {
      method: 'GET',
      path: '/v2/org/app/tags/list?n=2',
      reply: page(['a', 'b'], '<?n=2&last=b>; rel="next"'),
    },
    { method: 'GET', path: '/v2/org/app/tags/list?n=2&last=b', reply: page([]) },
  ]);
  try {
    const repo = Reference.parseRepository(`${server.host}/org/app`);
    const tags = await listTags(fetchSession(server.url), repo, { pageSize: 2 });
    assert.deepEqual(tags, ['a', 'b']);
    server.assertDone();
  } finally {
    await server.close();
  }
});

test('a Link with another rel is not followed, and "tags": null is no tags', async () => {
  const server = await startScripted([
    {
      method: 'GET',
      path: '/v2/org/app/tags/list',
      reply: () => ({
        status: 200,
        headers: { link: '</v2/org/app/tags/list?last=x>; rel="prev"' },
        body: '{"name":"org/app","tags":null}',
      }),
    },
  ]);
  try {
    const repo = Reference.parseRepository(`${server.host}/org/app`);
    assert.deepEqual(await listTags(fetchSession(server.url), repo), []);
    server.assertDone();
  } finally {
    await server.close();
  }
});

test('a Link back to a page already read is an error, not an endless loop', async () => {
  const server = await startScripted([
    {
      method: 'GET',
      path: '/v2/org/app/tags/list',
      reply: page(['a'], '</v2/org/app/tags/list?last=a>; rel="next"'),
    },
    {
      method: 'GET',
      path: '/v2/org/app/tags/list?last=a',
      reply: page(['b'], '</v2/org/app/tags/list?last=a>; rel="next"'),
    },
  ]);
  try {
    const repo = Reference.parseRepository(`${server.host}/org/app`);
    await assert.rejects(listTags(fetchSession(server.url), repo), (e) =>
      isGantryError(e, 'GANTRY_E_REGISTRY'),
    );
    server.assertDone();
  } finally {
    await server.close();
  }
});
