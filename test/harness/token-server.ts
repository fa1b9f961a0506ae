import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTokenSigningCertificate } from './certs.js';
import { recordSecret } from './secrets.js';
import { type Caller, createTokenSigner, grant, parseScopes } from './token-grant.js';

/**
 * The token server of the `token` registry: node:http on a free loopback port,
 * in the test suite (the registries run it on a thread, see token-thread.ts).
 * It speaks both forms of the Docker token protocol:
 * - GET with optional Basic credentials (distribution docs/spec/auth/token.md);
 *   `offline_token=true` also returns a refresh token;
 * - POST of an OAuth2 form, `grant_type=password` or `refresh_token`
 *   (distribution docs/spec/auth/oauth.md, RFC 6749 §4.3 and §6).
 * Every token it issues is recorded as a secret for the secret scan.
 */

/** The default token lifetime, as Docker Hub issues them (seconds). */
export const DEFAULT_TOKEN_EXPIRES_IN = 300;

/** Token requests carry only a few scopes; a larger body is a broken client. */
const MAX_FORM_BYTES = 64 * 1024;

export interface TokenRequestRecord {
  method: 'GET' | 'POST';
  caller: Caller;
  scopes: string[];
}

export interface TokenServer {
  /** The realm URL the registry names in its `Bearer` challenge. */
  realm: string;
  /** The certificate that signs tokens: the registry's `rootcertbundle`. */
  certFile: string;
  /** Every access and refresh token issued, in order. */
  issuedTokens: readonly string[];
  /** Every token request answered, in order (no credentials). */
  requests: readonly TokenRequestRecord[];
  stop(): Promise<void>;
}

export interface TokenServerOptions {
  /** Where the signing key and certificate are written. */
  dir: string;
  /** username -> password */
  users: Record<string, string>;
  issuer: string;
  expiresIn?: number;
  /**
   * Sees every request first; returns true when it answered the request
   * itself (a fault), false to let the server answer. Only for a server in
   * the test's own process (startTokenServer): a function cannot cross to
   * the thread of startTokenServerThread.
   */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

class AuthFailure extends Error {}
/** RFC 6749 §5.2: an unknown grant type is a 400, not a credential failure. */
class BadGrant extends Error {}

function basicCaller(header: string | undefined, users: Record<string, string>): Caller {
  if (header === undefined) return null;
  const match = /^Basic\s+(\S+)$/i.exec(header);
  if (match === null) throw new AuthFailure('malformed Authorization header');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return checkPassword(decoded.slice(0, colon), decoded.slice(colon + 1), users);
}

function checkPassword(user: string, password: string, users: Record<string, string>) {
  if (Object.hasOwn(users, user) && users[user] === password) return user;
  throw new AuthFailure('invalid username or password');
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new AuthFailure('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startTokenServer(
  options: TokenServerOptions,
): Promise<TokenServer> {
  const pair = await makeTokenSigningCertificate(options.dir);
  const expiresIn = options.expiresIn ?? DEFAULT_TOKEN_EXPIRES_IN;
  const signer = createTokenSigner({
    keyPem: await readFile(pair.keyFile, 'utf8'),
    certPem: await readFile(pair.certFile, 'utf8'),
    issuer: options.issuer,
    expiresIn,
  });
  const issuedTokens: string[] = [];
  const requests: TokenRequestRecord[] = [];
  const refreshTokens = new Map<string, string>();

  const issue = (caller: Caller, service: string, scopes: string[], offline: boolean) => {
    const access = grant(caller, parseScopes(scopes));
    const token = signer.sign({ subject: caller ?? '', audience: service, access });
    issuedTokens.push(token);
    recordSecret(token);
    const body: Record<string, unknown> = {
      token,
      access_token: token,
      expires_in: expiresIn,
      issued_at: new Date().toISOString(),
    };
    if (offline && caller !== null) {
      const refresh = `gantry-test-refresh-${randomBytes(16).toString('hex')}`;
      refreshTokens.set(refresh, caller);
      issuedTokens.push(refresh);
      recordSecret(refresh);
      body.refresh_token = refresh;
    }
    return body;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://token.invalid');
    if (url.pathname !== '/token') return send(res, 404, { error: 'not_found' });
    if (req.method === 'GET') {
      const caller = basicCaller(req.headers.authorization, options.users);
      const scopes = url.searchParams.getAll('scope');
      requests.push({ method: 'GET', caller, scopes });
      const offline = url.searchParams.get('offline_token') === 'true';
      const service = url.searchParams.get('service') ?? '';
      return send(res, 200, issue(caller, service, scopes, offline));
    }
    if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' });
    const form = await readForm(req);
    const caller = postCaller(form, options.users, refreshTokens);
    const scopes = form.getAll('scope');
    requests.push({ method: 'POST', caller, scopes });
    const offline = form.get('access_type') === 'offline';
    return send(res, 200, issue(caller, form.get('service') ?? '', scopes, offline));
  };

  const server = createServer((req, res) => {
    if (options.intercept?.(req, res) === true) return;
    handle(req, res).catch((error: unknown) => {
      if (error instanceof AuthFailure) {
        res.setHeader('www-authenticate', 'Basic realm="gantry-test-token"');
        return send(res, 401, {
          error: 'invalid_grant',
          error_description: error.message,
        });
      }
      if (error instanceof BadGrant) {
        return send(res, 400, {
          error: 'unsupported_grant_type',
          error_description: error.message,
        });
      }
      return send(res, 500, { error: 'server_error', error_description: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Like the registry children: never the reason a test process stays alive.
  server.unref();
  const { port } = server.address() as AddressInfo;

  return {
    realm: `http://127.0.0.1:${port}/token`,
    certFile: pair.certFile,
    issuedTokens,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function postCaller(
  form: URLSearchParams,
  users: Record<string, string>,
  refreshTokens: Map<string, string>,
): Caller {
  const grantType = form.get('grant_type');
  if (grantType === 'password') {
    return checkPassword(form.get('username') ?? '', form.get('password') ?? '', users);
  }
  if (grantType === 'refresh_token') {
    const user = refreshTokens.get(form.get('refresh_token') ?? '');
    if (user === undefined) throw new AuthFailure('unknown refresh token');
    return user;
  }
  throw new BadGrant(`unsupported grant_type ${JSON.stringify(grantType)}`);
}
