import { createHash } from 'node:crypto';
import type { Credential } from './credentials.js';

/**
 * Bearer tokens already obtained, keyed by everything that decides what a
 * token grants: the token realm, the service, the scopes and who asked.
 */

/**
 * Docker token spec ("Requesting a Token", expires_in): when the server does
 * not say, a token lives 60 seconds.
 */
export const DEFAULT_TOKEN_LIFETIME_S = 60;

/**
 * A token is renewed this long before it expires, so it does not expire in
 * flight between the cache and the registry (a large upload's PUT, a slow
 * proxy).
 */
export const TOKEN_REFRESH_MARGIN_MS = 10_000;

/** Server clocks this far from ours are not trusted for `issued_at`. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export interface CachedToken {
  token: string;
  /** Milliseconds since the epoch, by our clock. */
  expiresAt: number;
}

export interface TokenKeyParts {
  realm: string;
  service: string | undefined;
  scopes: string[];
  credential: Credential | undefined;
}

export class TokenCache {
  readonly #tokens = new Map<string, CachedToken>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** A cache key; the credential enters only as a hash. */
  static key(parts: TokenKeyParts): string {
    const who = identity(parts.credential);
    const scopes = [...new Set(parts.scopes)].sort().join(' ');
    return JSON.stringify([parts.realm, parts.service ?? '', scopes, who]);
  }

  /** The token for `key` if it has more than the refresh margin left. */
  get(key: string): string | undefined {
    const entry = this.#tokens.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt - TOKEN_REFRESH_MARGIN_MS <= this.#now()) {
      this.#tokens.delete(key);
      return undefined;
    }
    return entry.token;
  }

  set(key: string, entry: CachedToken): void {
    const now = this.#now();
    for (const [other, cached] of this.#tokens) {
      if (cached.expiresAt <= now) this.#tokens.delete(other);
    }
    this.#tokens.set(key, entry);
  }

  delete(key: string): void {
    this.#tokens.delete(key);
  }
}

/**
 * When a token from a server answer expires, by our clock. `requestedAt` is
 * when we asked; `issued_at` (RFC 3339) is used only while the server's
 * clock agrees with ours, so a skewed clock cannot make tokens look stale.
 */
export function tokenExpiry(
  expiresIn: unknown,
  issuedAt: unknown,
  requestedAt: number,
): number {
  const lifetime =
    typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0
      ? expiresIn
      : DEFAULT_TOKEN_LIFETIME_S;
  let start = requestedAt;
  if (typeof issuedAt === 'string') {
    const issued = Date.parse(issuedAt);
    if (!Number.isNaN(issued) && Math.abs(issued - requestedAt) <= MAX_CLOCK_SKEW_MS) {
      start = Math.min(issued, requestedAt);
    }
  }
  return start + lifetime * 1000;
}

/**
 * Identities already hashed. A session keeps one credential object per
 * purpose, so every request after the first finds its key part here instead
 * of hashing the secret again.
 */
const identities = new WeakMap<Credential, string>();

function identity(credential: Credential | undefined): string {
  if (credential === undefined) return 'anonymous';
  let known = identities.get(credential);
  if (known === undefined) {
    const secret = credential.identityToken ?? credential.password ?? '';
    const hash = createHash('sha256').update(secret).digest('hex').slice(0, 16);
    known = `${credential.username ?? ''}:${hash}`;
    identities.set(credential, known);
  }
  return known;
}
