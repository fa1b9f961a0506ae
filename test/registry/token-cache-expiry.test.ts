import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_TOKEN_LIFETIME_S,
  TOKEN_REFRESH_MARGIN_MS,
  TokenCache,
  tokenExpiry,
} from '../../src/registry/token-cache.js';

const parts = {
  realm: 'https://auth.example/token',
  service: 'registry.example',
  scopes: ['repository:a:pull'],
  credential: { username: 'ann', password: 'pw-1' },
};

describe('token cache keys', () => {
  it('differ by realm, service, scopes and identity', () => {
    const key = TokenCache.key(parts);
    assert.notEqual(key, TokenCache.key({ ...parts, realm: 'https://other/token' }));
    assert.notEqual(key, TokenCache.key({ ...parts, service: 'other' }));
    assert.notEqual(
      key,
      TokenCache.key({ ...parts, scopes: ['repository:a:pull,push'] }),
    );
    assert.notEqual(key, TokenCache.key({ ...parts, credential: undefined }));
    assert.notEqual(
      key,
      TokenCache.key({ ...parts, credential: { username: 'ann', password: 'pw-2' } }),
    );
  });

  it('do not depend on scope order and never hold the password', () => {
    const two = { ...parts, scopes: ['repository:b:pull', 'repository:a:pull,push'] };
    const swapped = { ...two, scopes: [...two.scopes].reverse() };
    assert.equal(TokenCache.key(two), TokenCache.key(swapped));
    assert.ok(!TokenCache.key(parts).includes('pw-1'));
  });
});

describe('token expiry', () => {
  const at = Date.parse('2026-01-01T00:00:00Z');

  it('defaults to 60 seconds when the server does not say (Docker token spec)', () => {
    assert.equal(DEFAULT_TOKEN_LIFETIME_S, 60);
    assert.equal(tokenExpiry(undefined, undefined, at), at + 60_000);
    assert.equal(tokenExpiry('300', undefined, at), at + 60_000);
    assert.equal(tokenExpiry(0, undefined, at), at + 60_000);
  });

  it('counts expires_in from issued_at when the clocks agree', () => {
    const issued = new Date(at - 5_000).toISOString();
    assert.equal(tokenExpiry(300, issued, at), at - 5_000 + 300_000);
  });

  it('ignores an issued_at from a skewed clock', () => {
    const issued = new Date(at - 3_600_000).toISOString();
    assert.equal(tokenExpiry(300, issued, at), at + 300_000);
    assert.equal(tokenExpiry(300, 'yesterday', at), at + 300_000);
  });

  it('drops a token a refresh margin before it expires', () => {
    let now = at;
    const cache = new TokenCache(() => now);
    cache.set('k', { token: 't', expiresAt: at + 60_000 });
    assert.equal(cache.get('k'), 't');
    now = at + 60_000 - TOKEN_REFRESH_MARGIN_MS - 1;
    assert.equal(cache.get('k'), 't');
    now = at + 60_000 - TOKEN_REFRESH_MARGIN_MS;
    assert.equal(cache.get('k'), undefined);
  });
});
