import { isGantryError } from '../errors.js';
import {
  type Challenge,
  mergeScopes,
  parseChallenges,
  scopeToString,
} from './challenge.js';
import type { Credential, CredentialPurpose } from './credentials.js';
import { isUsable } from './credentials.js';
import { TokenCache, tokenExpiry } from './token-cache.js';
import {
  effectiveScopes,
  readTokenAnswer,
  type TokenAnswer,
  tokenFailure,
  tokenRequest,
  tokenServerError,
} from './token-request.js';
import { discard, type TransportRequest, type TransportResponse } from './transport.js';
import type { Scope } from './types.js';

/**
 * Registry authentication (Docker token spec, RFC 7235, RFC 6750): learn the
 * registry's challenge from a 401, then answer it with Basic credentials or a
 * bearer token that holds every scope the request needs.
 */

/**
 * A token answer cut off mid-body is asked for this many times in all: the
 * request is idempotent (a GET, or a refresh-token POST, RFC 6749 section 6,
 * that issues a new access token each time), and retries below HTTP
 * (send-retry.ts) end once the headers have come.
 */
export const TOKEN_ANSWER_ATTEMPTS = 2;

export interface AuthOptions {
  registry: string;
  /** Host (and port) of the registry's API, the default `service` of a token. */
  apiHost: string;
  credential: (purpose: CredentialPurpose) => Promise<Credential | undefined>;
  /** Sends a request (with retries) through the session's transport. */
  send: (request: TransportRequest) => Promise<TransportResponse>;
  addSecret: (secret: string) => void;
  tokens?: TokenCache;
}

/** The Authorization value sent, and what it answered, for judging a later 401. */
export interface Authorization {
  header: string;
  scheme: 'basic' | 'bearer';
  anonymous: boolean;
  tokenKey?: string;
}

/** What a request needs pushed, deleted or catalogued needs a push credential. */
export function purposeOf(scopes: Scope[]): CredentialPurpose {
  return scopes.some((s) => s.actions.some((a) => a !== 'pull')) ? 'push' : 'pull';
}

/** Bearer wins over Basic: it can be narrowed to scopes; other schemes are not spoken. */
export function preferredChallenge(header: string | undefined): Challenge | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const challenges = parseChallenges(header);
  return (
    challenges.find((c) => c.scheme === 'bearer') ??
    challenges.find((c) => c.scheme === 'basic')
  );
}

export class Authenticator {
  readonly #options: AuthOptions;
  readonly #tokens: TokenCache;
  readonly #pending = new Map<string, Promise<string>>();
  /** The registry's last challenge; undefined until one is seen. */
  challenge: Challenge | undefined;
  /** True once it is known whether the registry asks for credentials, and how. */
  known = false;

  constructor(options: AuthOptions) {
    this.#options = options;
    this.#tokens = options.tokens ?? new TokenCache();
  }

  /** Remembers the challenge of a 401; undefined if it holds none we speak. */
  learn(header: string | undefined): Challenge | undefined {
    const challenge = preferredChallenge(header);
    if (challenge !== undefined) this.challenge = challenge;
    this.known = true;
    return challenge;
  }

  /** Forgets a token the registry refused, so the next try asks for a new one. */
  forget(authorization: Authorization | undefined): void {
    if (authorization?.tokenKey !== undefined)
      this.#tokens.delete(authorization.tokenKey);
  }

  /** The Authorization to send for `scopes`, or undefined when none is known. */
  async authorize(scopes: Scope[]): Promise<Authorization | undefined> {
    const challenge = this.challenge;
    if (challenge === undefined) return undefined;
    const credential = await this.#options.credential(purposeOf(scopes));
    if (challenge.scheme === 'basic') return this.#basic(credential);
    return this.#bearer(challenge, scopes, credential);
  }

  #basic(credential: Credential | undefined): Authorization | undefined {
    if (!isUsable(credential) || credential.username === undefined) return undefined;
    const encoded = Buffer.from(`${credential.username}:${credential.password ?? ''}`);
    const value = encoded.toString('base64');
    this.#options.addSecret(value);
    return { header: `Basic ${value}`, scheme: 'basic', anonymous: false };
  }

  async #bearer(
    challenge: Challenge,
    scopes: Scope[],
    credential: Credential | undefined,
  ) {
    const usable = isUsable(credential) ? credential : undefined;
    const wanted = effectiveScopes(challenge, scopes);
    const key = TokenCache.key({
      realm: challenge.params.realm ?? '',
      service: challenge.params.service,
      scopes: mergeScopes(wanted).map(scopeToString),
      credential: usable,
    });
    const token =
      this.#tokens.get(key) ?? (await this.#fetchOnce(key, challenge, wanted, usable));
    const authorization: Authorization = {
      header: `Bearer ${token}`,
      scheme: 'bearer',
      anonymous: usable === undefined,
      tokenKey: key,
    };
    return authorization;
  }

  /** Requests sent at once for the same token share one token request. */
  #fetchOnce(
    key: string,
    challenge: Challenge,
    scopes: Scope[],
    credential: Credential | undefined,
  ): Promise<string> {
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      const requestedAt = Date.now();
      pending = this.#requestToken(challenge, scopes, credential)
        .then((answer) => {
          const expiresAt = tokenExpiry(answer.expires_in, answer.issued_at, requestedAt);
          this.#tokens.set(key, { token: answer.token, expiresAt });
          return answer.token;
        })
        .finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return pending;
  }

  async #requestToken(
    challenge: Challenge,
    scopes: Scope[],
    credential: Credential | undefined,
  ): Promise<TokenAnswer> {
    const { registry, apiHost, addSecret } = this.#options;
    const request = tokenRequest(challenge, scopes, credential, apiHost);
    const basic = request.headers.authorization;
    if (basic !== undefined) addSecret(basic.slice('Basic '.length));
    for (let attempt = 1; ; attempt++) {
      const response = await this.#options.send(request).catch((error: unknown) => {
        throw tokenServerError(error, registry, request.url.toString());
      });
      if (response.status !== 200) {
        await discard(response.body);
        throw tokenFailure(response.status, credential, registry, response.url);
      }
      try {
        const answer = await readTokenAnswer(response, registry);
        addSecret(answer.token);
        return answer;
      } catch (error) {
        // A gantry error here is a complete answer without a token: asking again
        // gets the same. An answer cut off mid-body is asked for once more.
        if (isGantryError(error) || attempt >= TOKEN_ANSWER_ATTEMPTS) {
          throw tokenServerError(error, registry, response.url);
        }
      }
    }
  }
}
