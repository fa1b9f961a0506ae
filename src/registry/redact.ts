/**
 * Redaction: credentials never reach a message, an error or a log line.
 *
 * Everything here works on text, keeps what is not secret byte for byte
 * (URLs are not re-serialised, so an opaque `_state` stays as sent in the
 * request while its printed form is hidden) and never throws.
 */

/** What replaces a secret. */
export const REDACTED = 'REDACTED';

/**
 * Query parameters whose values are credentials or capabilities: upload
 * state (distribution `_state` is a signed capability), OAuth2 tokens and
 * codes (RFC 6749), and the signatures of pre-signed blob URLs that
 * registries redirect to (S3, GCS, Azure SAS, CloudFront). Compared without
 * case.
 */
const SENSITIVE_QUERY_PARAMS: ReadonlySet<string> = new Set([
  '_state',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'password',
  'passwd',
  'secret',
  'client_secret',
  'api_key',
  'apikey',
  'sig',
  'signature',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
  'key-pair-id',
  'policy',
]);

/** Headers whose whole value is a credential. Compared without case. */
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-registry-auth',
  'x-amz-security-token',
]);

/** Headers whose first word is an auth scheme worth keeping (`Bearer REDACTED`). */
const SCHEME_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
]);

/** `Basic <token68>` / `Bearer <token68>`: a credential wherever it appears. */
const CREDENTIAL_VALUE = /^\s*(basic|bearer|token)\s+[A-Za-z0-9\-._~+/]+=*\s*$/i;
const CREDENTIAL_IN_TEXT = /\b(Basic|Bearer)(\s+)([A-Za-z0-9\-._~+/]{8,}=*)/gi;

/**
 * In free text `Basic authentication` is prose, not a credential: a word
 * counts as one when it holds a digit or a token68 symbol, or is long.
 */
const PROSE_WORD_MAX = 19;
function looksLikeCredential(word: string): boolean {
  return word.length > PROSE_WORD_MAX || /[0-9\-._~+/=]/.test(word);
}

/**
 * A URL for display: userinfo dropped and the values of sensitive query
 * parameters replaced. Works on relative URLs and on text that is not a URL.
 */
export function redactUrl(url: string): string {
  const hashAt = url.indexOf('#');
  const beforeHash = hashAt < 0 ? url : url.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : url.slice(hashAt);
  const queryAt = beforeHash.indexOf('?');
  const head = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt < 0 ? undefined : beforeHash.slice(queryAt + 1);

  const redactedHead = dropUserinfo(head);
  if (query === undefined) return `${redactedHead}${fragment}`;
  return `${redactedHead}?${redactQuery(query)}${fragment}`;
}

/** `scheme://user:pass@host/...` → `scheme://host/...` (RFC 3986 §3.2.1). */
function dropUserinfo(head: string): string {
  const authority = /^([A-Za-z][A-Za-z0-9+.-]*:)?\/\/([^/]*)/.exec(head);
  if (authority === null) return head;
  const at = authority[2]!.lastIndexOf('@');
  if (at < 0) return head;
  const scheme = authority[1] ?? '';
  return `${scheme}//${authority[2]!.slice(at + 1)}${head.slice(authority[0].length)}`;
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = safeDecode(pair.slice(0, eq)).toLowerCase();
      return SENSITIVE_QUERY_PARAMS.has(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * Headers for display. Credential headers become `REDACTED`, or
 * `Scheme REDACTED` for Authorization; any other header whose value is a
 * bare `Basic`/`Bearer` credential is treated the same way. Challenges
 * (`WWW-Authenticate: Bearer realm="..."`) are not credentials and stay.
 */
export function redactHeaders(
  headers: Readonly<Record<string, string>>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (CREDENTIAL_HEADERS.has(lower) || CREDENTIAL_VALUE.test(value)) {
      result[name] = redactCredential(value, SCHEME_HEADERS.has(lower));
    } else if (lower === 'location' || lower === 'link' || lower === 'content-location') {
      result[name] = redactUrl(value);
    } else {
      result[name] = value;
    }
  }
  return result;
}

function redactCredential(value: string, keepScheme: boolean): string {
  const scheme = /^\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s+\S/.exec(value);
  if (scheme !== null && (keepScheme || CREDENTIAL_VALUE.test(value))) {
    return `${scheme[1]} ${REDACTED}`;
  }
  return REDACTED;
}

/**
 * `text` with every known secret replaced, in its raw, URL-encoded, JSON and
 * base64 forms (and a JWT's signature on its own), and every `Basic`/`Bearer`
 * credential replaced whatever it holds (the base64 of `user:password`
 * cannot be found from the password).
 */
export function redactText(text: string, secrets: Iterable<string>): string {
  return replaceForms(text, formsOf(secrets));
}

/** Every form of every secret, longest first so a secret holding another goes whole. */
function formsOf(secrets: Iterable<string>): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    for (const form of secretForms(secret)) forms.add(form);
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

function replaceForms(text: string, forms: readonly string[]): string {
  let result = text.replace(
    CREDENTIAL_IN_TEXT,
    (match, scheme: string, gap: string, word: string) =>
      looksLikeCredential(word) ? `${scheme}${gap}${REDACTED}` : match,
  );
  for (const form of forms) result = result.split(form).join(REDACTED);
  return result;
}

/** A JWT (RFC 7519 §3): its signature alone is as secret as the token. */
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.([A-Za-z0-9_-]{16,})$/;

function secretForms(secret: string): string[] {
  if (secret === '') return [];
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  const forms = [
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    base64,
    base64.replace(/=+$/, ''),
    Buffer.from(secret, 'utf8').toString('base64url'),
  ];
  const signature = JWT.exec(secret)?.[1];
  if (signature !== undefined) forms.push(signature);
  return forms;
}

/**
 * The secrets one process knows (passwords, identity tokens, bearer tokens,
 * upload state), kept so every error message and debug line can pass
 * through `redact` before it leaves the library.
 */
export class SecretRegistry {
  private readonly secrets = new Set<string>();
  /** formsOf(secrets), rebuilt only when a new secret arrives. */
  private forms: string[] = [];

  /** Remembers `secret`; empty strings are ignored. */
  add(secret: string | undefined): void {
    if (secret === undefined || secret === '' || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    this.forms = formsOf(this.secrets);
  }

  /** Remembers a username/password pair and the `Basic` credential made of it. */
  addBasic(username: string, password: string): void {
    this.add(password);
    this.add(Buffer.from(`${username}:${password}`, 'utf8').toString('base64'));
  }

  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    return replaceForms(text, this.forms);
  }
}
