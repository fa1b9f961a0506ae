import { ErrorCode } from '../errors.js';
import type { Authorization } from './auth.js';
import type { Challenge } from './challenge.js';
import {
  credentialsHint,
  parseErrorBody,
  RegistryError,
  readErrorBody,
} from './registry-error.js';
import type { TransportResponse } from './transport.js';
import type { RegistryRequest, Scope } from './types.js';

/**
 * Words a 401 the session could not get past: the credentials were refused,
 * did not allow the action, or were never given.
 */

export interface AuthFailureInit {
  registry: string;
  request: RegistryRequest;
  response: TransportResponse;
  /** What was sent with the refused request; undefined when it went anonymously. */
  authorization: Authorization | undefined;
  challenge: Challenge | undefined;
  /** The request had a streamed body, which cannot be sent a second time. */
  streamed: boolean;
  redact: (text: string) => string;
}

/** `pull and push on test/a, pull on test/b` */
export function describeScopes(scopes: Scope[]): string {
  if (scopes.length === 0) return 'this request';
  return scopes.map((s) => `${s.actions.join(' and ')} on ${s.name}`).join(', ');
}

export async function authFailure(init: AuthFailureInit): Promise<RegistryError> {
  const { registry, request, response, authorization, challenge } = init;
  const errors = parseErrorBody(await readErrorBody(response.body));
  const base = {
    status: response.status,
    method: request.method,
    url: response.url,
    errors,
    operation: request.operation,
    redact: init.redact,
  };
  const what = request.operation ?? `${request.method} ${describeScopes(request.scopes)}`;
  const allowed = describeScopes(request.scopes);
  const signedIn = authorization !== undefined && !authorization.anonymous;

  if (signedIn && authorization.scheme === 'basic') {
    return new RegistryError({
      ...base,
      message: `${what}: ${registry} rejected the username and password`,
      hint: `check the username and password for ${registry}`,
    });
  }
  if (signedIn || challenge?.params.error === 'insufficient_scope') {
    const hint = signedIn
      ? `the credentials for ${registry} do not allow ${allowed}`
      : `anonymous access does not allow ${allowed}; ${credentialsHint(registry)}`;
    return new RegistryError({
      ...base,
      code: signedIn ? ErrorCode.Denied : ErrorCode.Unauthorized,
      message: `${what}: access to ${registry} denied, ${allowed} is not allowed`,
      hint,
    });
  }
  if (init.streamed) {
    return new RegistryError({
      ...base,
      message: `${what}: ${registry} asked for credentials after the body was streamed`,
      hint: `${credentialsHint(registry)}, then try again`,
    });
  }
  return new RegistryError({
    ...base,
    message: `${what}: ${registry} requires credentials and none were found`,
    hint: credentialsHint(registry),
  });
}
