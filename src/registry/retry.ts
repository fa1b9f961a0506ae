import { setTimeout as sleep } from 'node:timers/promises';

/**
 * When and how long to wait before another try. Exponential backoff with
 * "full jitter" (each wait is uniform in [0, min(cap, base * 2^n)]) spreads
 * the retries of many clients hit by the same outage.
 */

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The ceiling of the first wait, in milliseconds. */
  baseDelayMs: number;
  /** No single wait is longer, whatever the backoff or `Retry-After` says. */
  maxDelayMs: number;
}

/**
 * Five tries over at most a few seconds ride out a registry restart or a
 * proxy hiccup without making a broken registry look like a hang; a 10 s cap
 * keeps a large `Retry-After` from stalling a release for minutes.
 */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
});

/** Network error codes after which the same request may succeed on a new connection. */
const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  policy.attempts = Math.max(1, Math.floor(policy.attempts));
  policy.baseDelayMs = Math.max(0, policy.baseDelayMs);
  policy.maxDelayMs = Math.max(0, policy.maxDelayMs);
  return policy;
}

/**
 * The wait before try number `attempt + 1` (attempt counts from 0 for the
 * first failure). `random` returns a value in [0, 1); it is a parameter so
 * tests can pin it.
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * The wait a `Retry-After` header asks for, in milliseconds, or undefined
 * when it is absent or unreadable. RFC 9110 section 10.2.3: either
 * delay-seconds or an HTTP-date. Capped at the policy's maxDelayMs.
 */
export function retryAfterDelay(
  value: string | undefined,
  policy: RetryPolicy,
  now: number = Date.now(),
): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let delay: number;
  if (/^\d+$/.test(text)) {
    delay = Number(text) * 1000;
  } else {
    // All three HTTP-date forms start with a day name; Date.parse alone would
    // read "-5" as a year.
    if (!/^[A-Za-z]{3}/.test(text)) return undefined;
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    delay = Math.max(0, date - now);
  }
  return Math.min(delay, policy.maxDelayMs);
}

/** True for a connection reset, refusal or timeout, where a new try may work. */
export function isRetryableNetworkError(error: unknown): boolean {
  let current: unknown = error;
  for (
    let depth = 0;
    depth < 5 && typeof current === 'object' && current !== null;
    depth++
  ) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE_NETWORK_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Waits `ms` milliseconds; an abort signal ends the wait early with its reason. */
export async function wait(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  await sleep(ms, undefined, signal === undefined ? undefined : { signal });
}
