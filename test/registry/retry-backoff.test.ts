import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  isRetryableNetworkError,
  retryAfterDelay,
  retryPolicy,
} from '../../src/registry/retry.js';

describe('exponential backoff with full jitter', () => {
  const policy = retryPolicy();

  it('uses the named defaults: 5 attempts, 200 ms base, 10 s cap', () => {
    assert.deepEqual(
      { ...DEFAULT_RETRY_POLICY },
      {
        attempts: 5,
        baseDelayMs: 200,
        maxDelayMs: 10_000,
      },
    );
  });

  it('doubles the ceiling per attempt and never passes the cap', () => {
    const almostOne = () => 0.999999;
    assert.equal(backoffDelay(0, policy, almostOne), 199);
    assert.equal(backoffDelay(1, policy, almostOne), 399);
    assert.equal(backoffDelay(3, policy, almostOne), 1599);
    assert.equal(backoffDelay(20, policy, almostOne), 9999);
  });

  it('draws uniformly from zero up to the ceiling (full jitter)', () => {
    assert.equal(
      backoffDelay(4, policy, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(4, policy, () => 0.5),
      1600,
    );
  });

  it('never allows fewer than one attempt', () => {
    assert.equal(retryPolicy({ attempts: 0 }).attempts, 1);
  });
});

describe('Retry-After (RFC 9110 section 10.2.3)', () => {
  const policy = retryPolicy({ maxDelayMs: 10_000 });
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delay-seconds', () => {
    assert.equal(retryAfterDelay('3', policy, now), 3000);
    assert.equal(retryAfterDelay(' 0 ', policy, now), 0);
  });

  it('reads an HTTP-date relative to now', () => {
    assert.equal(retryAfterDelay('Thu, 01 Jan 2026 00:00:04 GMT', policy, now), 4000);
    assert.equal(retryAfterDelay('Wed, 31 Dec 2025 23:00:00 GMT', policy, now), 0);
  });

  it('caps a long wait at the policy maximum', () => {
    assert.equal(retryAfterDelay('3600', policy, now), 10_000);
  });

  it('ignores a missing or unreadable value', () => {
    assert.equal(retryAfterDelay(undefined, policy, now), undefined);
    assert.equal(retryAfterDelay('soon', policy, now), undefined);
    assert.equal(retryAfterDelay('-5', policy, now), undefined);
  });
});

describe('retryable network errors', () => {
  it('retries resets, refusals and timeouts, also when wrapped as a cause', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    assert.equal(isRetryableNetworkError(reset), true);
    assert.equal(isRetryableNetworkError(new Error('wrapped', { cause: reset })), true);
    const timeout = Object.assign(new Error('t'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
    assert.equal(isRetryableNetworkError(timeout), true);
  });

  it('does not retry certificate errors or plain failures', () => {
    const tls = Object.assign(new Error('x'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    assert.equal(isRetryableNetworkError(tls), false);
    assert.equal(isRetryableNetworkError(new Error('no code')), false);
    assert.equal(isRetryableNetworkError('text'), false);
  });
});
