import type { KeyObject } from 'node:crypto';
import { createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';

/**
 * What the test token server grants, and the JWT it signs.
 *
 * Token format: the Docker "Token Authentication Implementation" document
 * (distribution docs/spec/auth/jwt.md): an ES256 JWS whose header carries the
 * signing certificate in `x5c` (RFC 7515 §4.1.6) and whose claims list the
 * granted `access` entries; the registry checks `iss`, `aud`, `exp`/`nbf` and
 * that the chain ends in its `rootcertbundle`.
 */

export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

/** A caller of the token server: a test user's name, or null for anonymous. */
export type Caller = string | null;

/** Allowed clock skew between token server and registry, in seconds. */
const NOT_BEFORE_SKEW_SECONDS = 10;

/**
 * Parses scope strings `type:name:actions`; one parameter may hold several,
 * separated by spaces (RFC 6749 §3.3). The type ends at the first colon and
 * the actions start at the last, so a name may itself hold colons.
 */
export function parseScopes(params: string[]): AccessEntry[] {
  const entries: AccessEntry[] = [];
  for (const scope of params.flatMap((p) => p.split(' ')).filter((s) => s !== '')) {
    const first = scope.indexOf(':');
    const last = scope.lastIndexOf(':');
    if (first <= 0 || last === first) continue;
    entries.push({
      type: scope.slice(0, first),
      name: scope.slice(first + 1, last),
      actions: scope
        .slice(last + 1)
        .split(',')
        .filter((a) => a !== ''),
    });
  }
  return entries;
}

/**
 * The test policy: alice gets every action she asks for; bob and anonymous
 * callers get `pull` on repositories and nothing else. Denied entries are
 * dropped, as real token servers do: the registry then answers 401
 * `insufficient_scope`, which is what clients must handle.
 */
export function grant(caller: Caller, requested: AccessEntry[]): AccessEntry[] {
  if (caller === 'alice') return requested;
  return requested
    .filter((entry) => entry.type === 'repository')
    .map((entry) => ({ ...entry, actions: entry.actions.filter((a) => a === 'pull') }))
    .filter((entry) => entry.actions.length > 0);
}

export interface TokenSigner {
  sign(claims: { subject: string; audience: string; access: AccessEntry[] }): string;
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

export function createTokenSigner(options: {
  keyPem: string;
  certPem: string;
  issuer: string;
  expiresIn: number;
}): TokenSigner {
  const key: KeyObject = createPrivateKey(options.keyPem);
  const x5c = [new X509Certificate(options.certPem).raw.toString('base64')];
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c }));

  return {
    sign({ subject, audience, access }) {
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: options.issuer,
        sub: subject,
        aud: audience,
        exp: now + options.expiresIn,
        nbf: now - NOT_BEFORE_SKEW_SECONDS,
        iat: now,
        jti: randomUUID(),
        access,
      };
      const input = `${header}.${base64url(JSON.stringify(claims))}`;
      // RFC 7518 §3.4: ES256 signatures are r||s, not DER.
      const signature = sign('sha256', Buffer.from(input), {
        key,
        dsaEncoding: 'ieee-p1363',
      });
      return `${input}.${base64url(signature)}`;
    },
  };
}
