import { ErrorCode, GantryError } from '../errors.js';
import type { Scope, ScopeAction } from './types.js';

/**
 * `WWW-Authenticate` challenges (RFC 7235 §4.1, grammar in §2.1 and RFC 7230
 * §3.2.6) and the bearer token request they lead to (Docker token
 * authentication specification, "Requesting a Token").
 *
 *   WWW-Authenticate = 1#challenge
 *   challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param  = token BWS "=" BWS ( token / quoted-string )
 *   token68     = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 *
 * The parser walks the header once, left to right, and never backtracks more
 * than one token, so its run time is linear in the header length.
 */
export interface Challenge {
  /** The auth-scheme, lower-cased (`bearer`, `basic`, ...). */
  scheme: string;
  /** Parameters by lower-cased name, values unquoted and unescaped. */
  params: Record<string, string>;
  token68?: string;
}

/** Longest header quoted back in an error message. */
const MAX_QUOTED_HEADER = 120;

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

export function parseChallenges(header: string): Challenge[] {
  const parser = new ChallengeParser(header);
  const challenges: Challenge[] = [];
  parser.skipListSeparators();
  while (!parser.atEnd()) {
    challenges.push(parser.challenge());
    parser.skipListSeparators();
  }
  if (challenges.length === 0) {
    throw headerError(header, 'it holds no challenge');
  }
  return challenges;
}

/** The header text for `challenges`; parseChallenges gives them back. */
export function formatChallenges(challenges: readonly Challenge[]): string {
  return challenges.map(formatChallenge).join(', ');
}

function formatChallenge(challenge: Challenge): string {
  if (challenge.token68 !== undefined) {
    return `${challenge.scheme} ${challenge.token68}`;
  }
  const params = Object.entries(challenge.params).map(
    ([name, value]) => `${name}="${value.replace(/["\\]/g, '\\$&')}"`,
  );
  return params.length === 0
    ? challenge.scheme
    : `${challenge.scheme} ${params.join(', ')}`;
}

class ChallengeParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** Skips OWS and empty list elements (RFC 7230 §7 allows `, ,`). */
  skipListSeparators(): void {
    while (!this.atEnd() && /[ \t,]/.test(this.text[this.pos]!)) this.pos++;
  }

  challenge(): Challenge {
    const scheme = this.token('an auth-scheme').toLowerCase();
    const challenge: Challenge = { scheme, params: {} };
    if (this.atEnd() || this.peek() === ',') return challenge;
    if (!/[ \t]/.test(this.peek()))
      this.fail(`unexpected "${this.peek()}" after "${scheme}"`);
    this.skipWhitespace();

    const token68 = this.tryToken68();
    if (token68 !== undefined) {
      challenge.token68 = token68;
      return challenge;
    }
    this.params(challenge);
    return challenge;
  }

  /** A token68 is followed only by OWS and then a comma or the end. */
  private tryToken68(): string | undefined {
    const start = this.pos;
    let end = start;
    while (end < this.text.length && TOKEN68_CHAR.test(this.text[end]!)) end++;
    if (end === start) return undefined;
    while (end < this.text.length && this.text[end] === '=') end++;
    let after = end;
    while (after < this.text.length && /[ \t]/.test(this.text[after]!)) after++;
    if (after < this.text.length && this.text[after] !== ',') return undefined;
    this.pos = after;
    return this.text.slice(start, end);
  }

  private params(challenge: Challenge): void {
    for (;;) {
      const name = this.token('a parameter name').toLowerCase();
      this.skipWhitespace();
      if (this.peek() !== '=') this.fail(`parameter "${name}" has no "="`);
      this.pos++;
      this.skipWhitespace();
      const value = this.peek() === '"' ? this.quotedString() : this.token('a value');
      if (Object.hasOwn(challenge.params, name)) {
        // RFC 7235 §2.1: each parameter name MUST occur only once per challenge.
        this.fail(`parameter "${name}" appears twice`);
      }
      // Defined, not assigned: a parameter named `__proto__` is a parameter too.
      Object.defineProperty(challenge.params, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });

      this.skipWhitespace();
      if (this.atEnd()) return;
      if (this.peek() !== ',') this.fail(`unexpected "${this.peek()}" after "${name}"`);
      this.skipListSeparators();
      if (this.atEnd() || !this.nextIsParam()) return;
    }
  }

  /** After a comma: `token BWS "="` is a parameter, anything else a new challenge. */
  private nextIsParam(): boolean {
    let at = this.pos;
    while (at < this.text.length && TCHAR.test(this.text[at]!)) at++;
    if (at === this.pos) return false;
    while (at < this.text.length && /[ \t]/.test(this.text[at]!)) at++;
    return this.text[at] === '=';
  }

  private token(what: string): string {
    const start = this.pos;
    while (!this.atEnd() && TCHAR.test(this.peek())) this.pos++;
    if (this.pos === start) {
      this.fail(this.atEnd() ? `expected ${what}` : `unexpected "${this.peek()}"`);
    }
    return this.text.slice(start, this.pos);
  }

  /** RFC 7230 §3.2.6: quoted-string with quoted-pair escapes. */
  private quotedString(): string {
    this.pos++;
    let value = '';
    for (;;) {
      if (this.atEnd()) this.fail('a quoted string is not closed');
      const char = this.text[this.pos++]!;
      if (char === '"') return value;
      if (char === '\\') {
        if (this.atEnd()) this.fail('a quoted string ends in "\\"');
        value += this.checkedQuotedChar(this.text[this.pos++]!);
      } else {
        value += this.checkedQuotedChar(char);
      }
    }
  }

  /** HTAB, SP, VCHAR and obs-text; control characters are not allowed. */
  private checkedQuotedChar(char: string): string {
    const code = char.charCodeAt(0);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) {
      this.fail('a quoted string holds a control character');
    }
    return char;
  }

  private skipWhitespace(): void {
    while (!this.atEnd() && /[ \t]/.test(this.peek())) this.pos++;
  }

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  private fail(reason: string): never {
    throw headerError(this.text, `${reason} at offset ${this.pos}`);
  }
}

function headerError(header: string, reason: string): GantryError {
  const shown =
    header.length > MAX_QUOTED_HEADER
      ? `${header.slice(0, MAX_QUOTED_HEADER)}...`
      : header;
  return new GantryError(
    ErrorCode.InvalidHeader,
    `invalid WWW-Authenticate header: ${reason}: ${JSON.stringify(shown)}`,
    { hint: 'the registry sent a malformed authentication challenge (RFC 7235)' },
  );
}

// --- bearer token requests -------------------------------------------------

/** Actions in the order they are written in a scope string. */
const ACTION_ORDER: readonly ScopeAction[] = ['pull', 'push', 'delete', '*'];
const SCOPE_TYPES: readonly Scope['type'][] = ['repository', 'registry'];

/**
 * The token endpoint URL for a Bearer challenge: `realm` with `service` (when
 * the challenge names one) and one `scope` parameter per resource. `realm` is
 * required (token spec); `service` is not, since nvcr.io and Artifact Registry
 * omit it on `/v2/` (RFC 6750 §3 makes every parameter optional). A query the
 * realm already has is kept verbatim.
 */
export function bearerTokenUrl(
  challenge: Challenge,
  scopes: readonly Scope[],
  registryHost: string,
): URL {
  const realm = challenge.params.realm;
  if (realm === undefined || realm === '') {
    throw new GantryError(
      ErrorCode.InvalidHeader,
      `registry ${registryHost} sent a Bearer challenge without a realm`,
      { hint: 'the registry must name its token endpoint in the "realm" parameter' },
    );
  }
  const url = URL.canParse(realm) ? new URL(realm) : undefined;
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new GantryError(
      ErrorCode.InvalidHeader,
      `registry ${registryHost} sent a Bearer realm that is not an http(s) URL`,
      { details: { realm } },
    );
  }

  const added: string[] = [];
  const service = challenge.params.service;
  if (service !== undefined && service !== '') added.push(queryPair('service', service));
  for (const scope of mergeScopes(scopes))
    added.push(queryPair('scope', scopeToString(scope)));
  if (added.length > 0) {
    const existing = url.search.length > 1 ? `${url.search.slice(1)}&` : '';
    url.search = `?${existing}${added.join('&')}`;
  }
  return url;
}

function queryPair(name: string, value: string): string {
  return `${name}=${encodeURIComponent(value)}`;
}

/**
 * One scope per resource, actions merged and de-duplicated: a mount needs
 * push on the target and pull on the source, a retry may add push to pull.
 * Resources keep the order of their first appearance; a scope without
 * actions asks for nothing and is dropped.
 */
export function mergeScopes(scopes: readonly Scope[]): Scope[] {
  const merged = new Map<string, Set<ScopeAction>>();
  for (const scope of scopes) {
    const key = `${scope.type}:${scope.name}`;
    const actions = merged.get(key) ?? new Set<ScopeAction>();
    for (const action of scope.actions) actions.add(action);
    merged.set(key, actions);
  }
  const result: Scope[] = [];
  for (const [key, actions] of merged) {
    if (actions.size === 0) continue;
    const colon = key.indexOf(':');
    result.push({
      type: key.slice(0, colon) as Scope['type'],
      name: key.slice(colon + 1),
      actions: ACTION_ORDER.filter((action) => actions.has(action)),
    });
  }
  return result;
}

/** `repository:library/alpine:pull,push` (token spec, "Token Scope Documentation"). */
export function scopeToString(scope: Scope): string {
  return `${scope.type}:${scope.name}:${scope.actions.join(',')}`;
}

/**
 * Parses one scope string. The name runs from the first to the last colon,
 * so a name holding a host with a port (`localhost:5000/app`) survives.
 * Unknown types or actions are an InvalidHeader error.
 */
export function parseScope(text: string): Scope {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  const type = text.slice(0, first);
  const name = text.slice(first + 1, last);
  const actions = text.slice(last + 1).split(',');
  const known = (action: string): action is ScopeAction =>
    (ACTION_ORDER as readonly string[]).includes(action);
  if (
    first < 0 ||
    first === last ||
    name === '' ||
    !(SCOPE_TYPES as readonly string[]).includes(type) ||
    !actions.every(known)
  ) {
    throw new GantryError(
      ErrorCode.InvalidHeader,
      `invalid token scope ${JSON.stringify(text)}`,
      {
        hint: 'a scope looks like repository:<name>:pull,push',
      },
    );
  }
  return { type: type as Scope['type'], name, actions: actions.filter(known) };
}

/** The space-separated scopes of a challenge's `scope` parameter. */
export function parseScopes(text: string): Scope[] {
  return text
    .split(/[ \t]+/)
    .filter((part) => part !== '')
    .map(parseScope);
}
