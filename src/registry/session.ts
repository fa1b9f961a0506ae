import { type Logger, silentLogger } from '../log.js';
import { Authenticator, type Authorization } from './auth.js';
import { authFailure } from './auth-failure.js';
import type { Credential, CredentialPurpose, CredentialStore } from './credentials.js';
import {
  httpsOnlyError,
  isHttpsOnlyAnswer,
  type PlainHttp,
  readCaFile,
  registryBaseUrl,
  schemeMode,
} from './endpoint.js';
import { redactUrl, SecretRegistry } from './redact.js';
import { parseErrorBody, RegistryError, readErrorBody } from './registry-error.js';
import { type RetryPolicy, retryPolicy } from './retry.js';
import { sendWithRetries } from './send-retry.js';
import { toRegistryResponse } from './session-response.js';
import {
  discard,
  Transport,
  type TransportResponse,
  type TransportTimeouts,
} from './transport.js';
import type { RegistryRequest, RegistryResponse, RegistrySession } from './types.js';

/**
 * A session with one registry: where it is, how to reach it (TLS, plain
 * HTTP), who we are there (credentials, tokens) and how hard to try.
 */

export interface SessionOptions {
  /** Default: none (anonymous). */
  credentials?: CredentialStore;
  /** Registry -> extra CA PEM file, added to the default trust. */
  caFiles?: Record<string, string>;
  /** Registries reached over HTTPS without a certificate check; only those named. */
  insecure?: string[];
  /**
   * Registries reached over plain HTTP (`--plain-http`), or one mode for all.
   * Unnamed: HTTPS, except plain HTTP for a loopback registry that is neither
   * named insecure nor given a CA file (see endpoint.ts, schemeMode).
   */
  plainHttp?: string[] | PlainHttp;
  /** Headers timeouts; the defaults are in transport.ts. */
  timeouts?: Partial<TransportTimeouts>;
  /** HTTP trace at debug level, redacted. */
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  userAgent?: string;
  /** Every credential and token seen is added; every message passes through it. */
  secrets?: SecretRegistry;
}

/** A RegistrySession that holds connections until closed. */
export interface Session extends RegistrySession {
  /** Closes the session's idle connections; requests after this fail. */
  close(): Promise<void>;
}

/** Names the client in registry logs; the version follows package.json. */
export const DEFAULT_USER_AGENT = 'gantry/0.1.0';

/**
 * A request is sent at most three times for authentication: anonymously (or
 * with what is known), after the registry's challenge, and once more with a
 * new token if the registry refused one that was not short of scope.
 */
const MAX_AUTH_ROUNDS = 2;

export function createSession(registry: string, options: SessionOptions = {}): Session {
  return new RegistrySessionImpl(registry, options);
}

class RegistrySessionImpl implements Session {
  readonly registry: string;
  readonly baseUrl: string;
  readonly #logger: Logger;
  readonly #secrets: SecretRegistry;
  readonly #policy: RetryPolicy;
  readonly #transport: Transport;
  readonly #auth: Authenticator;
  readonly #credentials = new Map<CredentialPurpose, Promise<Credential | undefined>>();
  readonly #store: CredentialStore | undefined;
  #probing: Promise<void> | undefined;
  /** `scheme://host:port` of the registry: the only origin that gets credentials. */
  readonly #origin: string;

  constructor(registry: string, options: SessionOptions) {
    this.registry = registry;
    const caFile = options.caFiles?.[registry];
    const mode = schemeMode(registry, {
      plainHttp: options.plainHttp,
      insecure: options.insecure,
      hasCaFile: caFile !== undefined,
    });
    this.baseUrl = registryBaseUrl(registry, mode, caFile !== undefined);
    this.#origin = new URL(this.baseUrl).origin;
    this.#logger = options.logger ?? silentLogger;
    this.#secrets = options.secrets ?? new SecretRegistry();
    this.#policy = retryPolicy(options.retry);
    this.#store = options.credentials;
    const redact = (text: string) => this.#secrets.redact(text);
    this.#transport = new Transport({
      origin: this.#origin,
      registry,
      ca: readCaFile(registry, caFile),
      insecure: options.insecure?.includes(registry) ?? false,
      logger: this.#logger,
      userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
      redact,
      timeouts: options.timeouts,
    });
    this.#auth = new Authenticator({
      registry,
      apiHost: new URL(this.baseUrl).host,
      credential: (purpose) => this.#credential(purpose),
      send: (request) => this.#send(request, true),
      addSecret: (secret) => this.#secrets.add(secret),
    });
  }

  async request(request: RegistryRequest): Promise<RegistryResponse> {
    try {
      return await this.#request(request);
    } catch (error) {
      // The last line of defence: no message leaves with a secret this session saw.
      if (error instanceof Error) error.message = this.#secrets.redact(error.message);
      throw error;
    }
  }

  async #request(request: RegistryRequest): Promise<RegistryResponse> {
    const url = new URL(request.url, this.baseUrl);
    const ownOrigin = url.origin === this.#origin;
    const replayable = request.body === undefined || request.body instanceof Uint8Array;
    // A streamed body goes once: learn what the registry wants before sending it.
    if (ownOrigin && !replayable && !this.#auth.known) await this.#probe();

    let authorization = ownOrigin
      ? await this.#auth.authorize(request.scopes)
      : undefined;
    for (let round = 0; ; round++) {
      const headers: Record<string, string> = { ...request.headers };
      if (authorization !== undefined) headers.authorization = authorization.header;
      const response = await this.#send(
        {
          method: request.method,
          url,
          headers,
          body: request.body,
          followRedirects: request.followRedirects ?? true,
        },
        replayable,
      );
      // Only the registry's own challenge counts, not one from a redirect target.
      // The answering URL is parsed only for a 401, not for every answer.
      if (
        response.status !== 401 ||
        request.expect.includes(401) ||
        !ownOrigin ||
        new URL(response.url).origin !== this.#origin
      ) {
        return this.#finish(request, response);
      }
      const challenge = this.#auth.learn(response.headers['www-authenticate']);
      const next =
        round < MAX_AUTH_ROUNDS && replayable
          ? await this.#reauthorize(authorization, request)
          : undefined;
      if (next === undefined || challenge === undefined) {
        throw await authFailure({
          registry: this.registry,
          request,
          response,
          authorization,
          challenge,
          streamed: !replayable,
          redact: (text) => this.#secrets.redact(text),
        });
      }
      await discard(response.body);
      authorization = next;
    }
  }

  async close(): Promise<void> {
    await this.#transport.close();
  }

  /** A new Authorization after a 401, or undefined when another try cannot help. */
  async #reauthorize(sent: Authorization | undefined, request: RegistryRequest) {
    const challenge = this.#auth.challenge;
    if (challenge === undefined) return undefined;
    if (sent !== undefined) {
      // Refused credentials stay refused, and so does a token without the scope;
      // any other refused token may have been revoked or expired early.
      if (sent.scheme === 'basic' || challenge.params.error === 'insufficient_scope') {
        return undefined;
      }
      this.#auth.forget(sent);
    }
    return this.#auth.authorize(request.scopes);
  }

  async #finish(request: RegistryRequest, response: TransportResponse) {
    if (request.expect.includes(response.status)) {
      return toRegistryResponse(response, this.registry);
    }
    const body = await readErrorBody(response.body);
    if (
      response.url.startsWith('http:') &&
      isHttpsOnlyAnswer(response.status, body, response.headers)
    ) {
      throw httpsOnlyError(this.registry, `${request.method} ${redactUrl(response.url)}`);
    }
    const errors = parseErrorBody(body);
    throw new RegistryError({
      status: response.status,
      method: request.method,
      url: response.url,
      errors,
      operation: request.operation,
      redact: (text) => this.#secrets.redact(text),
    });
  }

  /** Learns the registry's challenge from `GET /v2/`, once for concurrent callers. */
  #probe(): Promise<void> {
    this.#probing ??= this.#ping().finally(() => {
      this.#probing = undefined;
    });
    return this.#probing;
  }

  async #ping(): Promise<void> {
    const url = new URL('/v2/', this.baseUrl);
    const probe = { method: 'GET' as const, url, headers: {}, followRedirects: true };
    const response = await this.#send(probe, true);
    if (response.status === 401) this.#auth.learn(response.headers['www-authenticate']);
    this.#auth.known = true;
    await discard(response.body);
  }

  #send(request: Parameters<Transport['send']>[0], replayable: boolean) {
    return sendWithRetries(this.#transport, request, {
      policy: this.#policy,
      replayable,
      logger: this.#logger,
      redact: (text) => this.#secrets.redact(text),
    });
  }

  #credential(purpose: CredentialPurpose): Promise<Credential | undefined> {
    let pending = this.#credentials.get(purpose);
    if (pending === undefined) {
      pending = this.#lookUp(purpose);
      this.#credentials.set(purpose, pending);
      pending.catch(() => this.#credentials.delete(purpose));
    }
    return pending;
  }

  async #lookUp(purpose: CredentialPurpose): Promise<Credential | undefined> {
    const credential = await this.#store?.get(this.registry, purpose);
    for (const secret of [credential?.password, credential?.identityToken]) {
      if (secret !== undefined && secret !== '') this.#secrets.add(secret);
    }
    return credential;
  }
}
