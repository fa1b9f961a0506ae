import type { Readable } from 'node:stream';

/**
 * The contract between the session layer (transport, auth, retries,
 * redirects, redaction: registry/session.ts) and the resource modules that
 * speak the distribution API on top of it (blobs.ts, manifests.ts, tags.ts,
 * referrers.ts, upload.ts).
 */

/** An action on a repository, as in the Docker token scope grammar. */
export type ScopeAction = 'pull' | 'push' | 'delete' | '*';

/**
 * One resource scope of a bearer token request, e.g.
 * `repository:library/alpine:pull`. A cross-repository mount needs two: push
 * on the target and pull on the source; both go into one token request.
 */
export interface Scope {
  type: 'repository' | 'registry';
  name: string;
  actions: ScopeAction[];
}

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface RegistryRequest {
  method: HttpMethod;
  /**
   * A path beginning with `/v2/` (resolved against the registry's base URL),
   * or an absolute URL (an upload `Location` or a `Link` target, already
   * resolved against the effective URL of the response that gave it).
   */
  url: string;
  headers?: Record<string, string>;
  /**
   * A byte array can be sent again on a retry or after a new token; a stream
   * cannot, so a request with a stream body is sent once and its failure is
   * reported to the caller, which decides how to resume.
   */
  body?: Uint8Array | Readable;
  /** Scopes the request needs; the session asks for all of them in one token. */
  scopes: Scope[];
  /**
   * Statuses that count as success. Any other status becomes a RegistryError
   * carrying the registry's `errors[]`, the status, the method and the
   * redacted URL. 404 is often expected (HEAD of a missing blob).
   */
  expect: number[];
  /** Follow redirects (default: true). Uploads that must see 3xx set false. */
  followRedirects?: boolean;
  /** What the request is for, used in error messages ("manifest put"...). */
  operation?: string;
}

export interface RegistryResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The URL that answered, after redirects: base for a relative Location. */
  url: string;
  /** The body, not yet read. Read it once with one of the methods below. */
  body: Readable;
  bytes(limit?: number): Promise<Uint8Array>;
  text(limit?: number): Promise<string>;
  json<T = unknown>(limit?: number): Promise<T>;
  /** Discards the body so the connection can be reused. */
  dump(): Promise<void>;
}

/** One registry host with credentials, TLS settings and a token cache. */
export interface RegistrySession {
  /** As written in references: `docker.io`, `localhost:5000`. */
  readonly registry: string;
  /** `https://registry-1.docker.io`, `http://127.0.0.1:5000`. */
  readonly baseUrl: string;
  request(request: RegistryRequest): Promise<RegistryResponse>;
}
