import { ErrorCode, GantryError, isGantryError } from '../errors.js';
import { bearerTokenUrl, type Challenge, parseScope } from './challenge.js';
import type { Credential } from './credentials.js';
import { describeCause } from './network-error.js';
import { redactUrl } from './redact.js';
import { credentialsHint } from './registry-error.js';
import type { TransportRequest, TransportResponse } from './transport.js';
import type { Scope } from './types.js';

/**
 * One bearer token request (Docker token spec, "Requesting a Token" and
 * "OAuth2 Token Authentication"): GET with Basic credentials or anonymous,
 * or POST with an identity token as an OAuth2 refresh token.
 */

/** Sent as `client_id` in OAuth2 token requests, as the spec asks clients to. */
export const OAUTH_CLIENT_ID = 'gantry';

/** Token answers are a few kilobytes; a larger one is not a token answer. */
export const MAX_TOKEN_ANSWER_BYTES = 1024 * 1024;

export interface TokenAnswer {
  token: string;
  expires_in?: unknown;
  issued_at?: unknown;
}

/**
 * The scopes to ask for: the request's own, or when it names none (`/v2/`,
 * the catalog) the scope the registry's challenge asked for.
 */
export function effectiveScopes(challenge: Challenge, scopes: Scope[]): Scope[] {
  if (scopes.length > 0) return scopes;
  const asked = challenge.params.scope;
  if (asked === undefined || asked === '') return [];
  const parsed: Scope[] = [];
  for (const text of asked.split(/[ \t]+/).filter((part) => part !== '')) {
    try {
      parsed.push(parseScope(text));
    } catch {
      // a scope we cannot read is left out; the registry will say what it lacks
    }
  }
  return parsed;
}

export function tokenRequest(
  challenge: Challenge,
  scopes: Scope[],
  credential: Credential | undefined,
  apiHost: string,
): TransportRequest {
  const url = bearerTokenUrl(challenge, scopes, apiHost);
  if (credential?.identityToken !== undefined && credential.identityToken !== '') {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credential.identityToken,
      service: challenge.params.service ?? apiHost,
      client_id: OAUTH_CLIENT_ID,
    });
    const scope = url.searchParams.getAll('scope').join(' ');
    if (scope !== '') form.set('scope', scope);
    const realm = new URL(url);
    realm.search = '';
    return {
      method: 'POST',
      url: realm,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new Uint8Array(Buffer.from(form.toString())),
      followRedirects: true,
    };
  }
  const headers: Record<string, string> = {};
  if (credential?.username !== undefined && credential.password !== undefined) {
    const pair = Buffer.from(`${credential.username}:${credential.password}`);
    headers.authorization = `Basic ${pair.toString('base64')}`;
  }
  return { method: 'GET', url, headers, followRedirects: true };
}

/** A refused token request, worded for who asked. */
export function tokenFailure(
  status: number,
  credential: Credential | undefined,
  registry: string,
  realm: string,
): GantryError {
  const where = `the token server ${tokenEndpoint(realm)} of ${registry}`;
  const details = { status, registry };
  if (status === 401 || status === 403) {
    if (credential === undefined) {
      return new GantryError(
        ErrorCode.Unauthorized,
        `${where} refused an anonymous token (${status})`,
        { details, hint: credentialsHint(registry) },
      );
    }
    const who =
      credential.identityToken === undefined
        ? `user "${credential.username ?? ''}"`
        : 'the identity token';
    return new GantryError(
      ErrorCode.Unauthorized,
      `${where} rejected ${who} (${status})`,
      {
        details,
        hint: `check the username and password gantry was given for ${registry}`,
      },
    );
  }
  return new GantryError(ErrorCode.Token, `${where} answered ${status}`, {
    details,
    hint: `the token server of ${registry} failed; try again later`,
  });
}

/**
 * The token server as messages name it: the realm without its query, which
 * only repeats the scopes and service asked for.
 */
export function tokenEndpoint(url: string): string {
  const parsed = new URL(url);
  return redactUrl(`${parsed.origin}${parsed.pathname}`);
}

export async function readTokenAnswer(
  response: TransportResponse,
  registry: string,
): Promise<TokenAnswer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_TOKEN_ANSWER_BYTES) {
      response.body.destroy();
      break;
    }
    chunks.push(chunk as Buffer);
  }
  let parsed: { token?: unknown; access_token?: unknown } = {};
  try {
    if (size <= MAX_TOKEN_ANSWER_BYTES)
      parsed = JSON.parse(Buffer.concat(chunks).toString());
  } catch {
    // reported below
  }
  const token = typeof parsed.token === 'string' ? parsed.token : parsed.access_token;
  if (typeof token !== 'string' || token === '') {
    throw new GantryError(
      ErrorCode.Token,
      `the token server ${tokenEndpoint(response.url)} of ${registry} answered ` +
        'without a token',
      { hint: 'the token server must answer JSON with "token" or "access_token"' },
    );
  }
  return { ...(parsed as Record<string, unknown>), token };
}

/**
 * A failure on the way to the token server or while reading its answer
 * (refused, reset, timed out, cut off mid-body), reworded to name the token
 * server rather than the registry. Network, TLS and timeout codes are kept;
 * an answer that broke off below HTTP is a network failure.
 */
export function tokenServerError(
  error: unknown,
  registry: string,
  realm: string,
): GantryError {
  if (isGantryError(error, ErrorCode.Token)) return error;
  const where = `the token server ${tokenEndpoint(realm)} of ${registry}`;
  const hint = `check that the token server of ${registry} is reachable, then try again`;
  if (isGantryError(error)) {
    return new GantryError(error.code, `${where}: ${error.message}`, {
      cause: error,
      details: { ...error.details, registry },
      // A CA given for the registry is trusted for its token server too.
      hint: error.code === ErrorCode.Tls ? error.hint : hint,
    });
  }
  return new GantryError(
    ErrorCode.Network,
    `${where}: its answer broke off (${describeCause(error)})`,
    { cause: error, details: { registry }, hint },
  );
}
