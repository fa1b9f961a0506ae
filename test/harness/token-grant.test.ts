import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grant, parseScopes } from './token-grant.js';

test('parseScopes reads repeated and space-separated scopes', () => {
  assert.deepEqual(
    parseScopes(['repository:a/b:pull,push repository:c:pull', 'registry:catalog:*']),
    [
      { type: 'repository', name: 'a/b', actions: ['pull', 'push'] },
      { type: 'repository', name: 'c', actions: ['pull'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
    ],
  );
});

test('parseScopes keeps colons inside the name and skips malformed scopes', () => {
  assert.deepEqual(parseScopes(['repository:a:b/c:pull', 'nonsense', 'x:']), [
    { type: 'repository', name: 'a:b/c', actions: ['pull'] },
  ]);
});

test('grant gives alice everything, others pull on repositories only', () => {
  const asked = parseScopes(['repository:a:pull,push,delete', 'registry:catalog:*']);
  assert.deepEqual(grant('alice', asked), asked);
  const pullOnly = [{ type: 'repository', name: 'a', actions: ['pull'] }];
  assert.deepEqual(grant('bob', asked), pullOnly);
  assert.deepEqual(grant(null, asked), pullOnly);
  assert.deepEqual(grant(null, parseScopes(['repository:a:push'])), []);
});
