import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import {
  bearerTokenUrl,
  mergeScopes,
  parseChallenges,
  parseScope,
  parseScopes,
  scopeToString,
} from '../../src/registry/challenge.js';

function challenge(header: string) {
  const [first] = parseChallenges(header);
  assert.ok(first);
  return first;
}

describe('bearer token request URL', () => {
  it('omits service when the challenge has none (BR-15)', () => {
    const url = bearerTokenUrl(
      challenge('Bearer realm="https://us-docker.pkg.dev/v2/token"'),
      [{ type: 'repository', name: 'org/app', actions: ['pull'] }],
      'us-docker.pkg.dev',
    );
    assert.equal(
      url.toString(),
      'https://us-docker.pkg.dev/v2/token?scope=repository%3Aorg%2Fapp%3Apull',
    );
  });

  it('adds service and the full quoted scope (BR-14)', () => {
    const header =
      'Bearer realm="https://registry.example.com/oauth2/token",' +
      'service="registry.example.com",scope="repository:org/app:pull,push"';
    const parsed = challenge(header);
    const url = bearerTokenUrl(
      parsed,
      parseScopes(parsed.params.scope!),
      'registry.example.com',
    );
    assert.equal(url.searchParams.get('service'), 'registry.example.com');
    assert.deepEqual(url.searchParams.getAll('scope'), ['repository:org/app:pull,push']);
  });

  it('sends one scope parameter per resource with merged actions', () => {
    const url = bearerTokenUrl(
      challenge('Bearer realm="https://auth.example.com/token",service="reg"'),
      [
        { type: 'repository', name: 'org/b', actions: ['push'] },
        { type: 'repository', name: 'org/a', actions: ['pull'] },
        { type: 'repository', name: 'org/b', actions: ['pull', 'push'] },
        { type: 'registry', name: 'catalog', actions: ['*'] },
      ],
      'reg',
    );
    assert.deepEqual(url.searchParams.getAll('scope'), [
      'repository:org/b:pull,push',
      'repository:org/a:pull',
      'registry:catalog:*',
    ]);
  });

  it('keeps a query the realm already has verbatim', () => {
    const url = bearerTokenUrl(
      challenge('Bearer realm="https://auth.example.com/token?a=b%20c&x=1"'),
      [{ type: 'repository', name: 'r', actions: ['pull'] }],
      'reg',
    );
    assert.equal(url.search, '?a=b%20c&x=1&scope=repository%3Ar%3Apull');
  });

  it('requires a realm', () => {
    assert.throws(
      () => bearerTokenUrl(challenge('Bearer service="reg"'), [], 'reg.example.com'),
      (error: unknown) =>
        isGantryError(error, 'GANTRY_E_HEADER') &&
        /reg\.example\.com/.test(error.message),
    );
  });

  it('requires the realm to be an http(s) URL', () => {
    for (const realm of ['/token', 'ftp://x/token', 'javascript:alert(1)']) {
      assert.throws(
        () => bearerTokenUrl(challenge(`Bearer realm="${realm}"`), [], 'reg'),
        (error: unknown) => isGantryError(error, 'GANTRY_E_HEADER'),
      );
    }
  });
});

describe('token scopes', () => {
  it('writes and reads the scope grammar', () => {
    const scope = {
      type: 'repository',
      name: 'library/bash',
      actions: ['pull'],
    } as const;
    assert.equal(
      scopeToString({ ...scope, actions: [...scope.actions] }),
      'repository:library/bash:pull',
    );
    assert.deepEqual(parseScope('repository:library/bash:pull'), {
      ...scope,
      actions: ['pull'],
    });
  });

  it('keeps a host with a port inside the name', () => {
    assert.deepEqual(parseScope('repository:localhost:5000/app:pull,push'), {
      type: 'repository',
      name: 'localhost:5000/app',
      actions: ['pull', 'push'],
    });
  });

  it('splits a space-separated scope parameter', () => {
    assert.equal(parseScopes(' repository:a:pull  repository:b:push ').length, 2);
  });

  it('rejects malformed scopes with GANTRY_E_HEADER', () => {
    for (const bad of [
      '',
      'repository',
      'repository:pull',
      'repo:a:pull',
      'repository:a:fly',
    ]) {
      assert.throws(
        () => parseScope(bad),
        (error: unknown) => isGantryError(error, 'GANTRY_E_HEADER'),
        bad,
      );
    }
  });

  it('drops scopes without actions and orders actions canonically', () => {
    assert.deepEqual(
      mergeScopes([
        { type: 'repository', name: 'a', actions: [] },
        { type: 'repository', name: 'b', actions: ['delete', 'push', 'pull', 'push'] },
      ]),
      [{ type: 'repository', name: 'b', actions: ['pull', 'push', 'delete'] }],
    );
  });
});
