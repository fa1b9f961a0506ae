import type { Readable } from 'node:stream';
import { ErrorCode, GantryError } from '../errors.js';

/**
 * Where registry credentials come from: explicit flags, the environment, the
 * Docker config file and its credential helpers (docker-config.ts). Stores
 * answer per registry and purpose; a pull may go on anonymously where a push
 * cannot.
 */

/** A username and password, or an identity (refresh) token for OAuth2. */
export interface Credential {
  username?: string;
  password?: string;
  /** Exchanged for access tokens with `grant_type=refresh_token`. */
  identityToken?: string;
}

export type CredentialPurpose = 'pull' | 'push';

export interface CredentialStore {
  get(registry: string, purpose: CredentialPurpose): Promise<Credential | undefined>;
}

/** Names Docker Hub goes by; all of them share one set of credentials. */
const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/**
 * The registry a credential key stands for: scheme and path dropped, lower
 * case, Docker Hub's aliases folded into `docker.io` (`https://index.docker.io/v1/`
 * is the key `docker login` writes for Docker Hub).
 */
export function credentialKey(registry: string): string {
  const host = registry
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .split('/')[0]!
    .toLowerCase();
  return DOCKER_HUB_ALIASES.has(host) ? 'docker.io' : host;
}

/** True when the credential can authenticate (a username alone cannot). */
export function isUsable(credential: Credential | undefined): credential is Credential {
  if (credential === undefined) return false;
  if (credential.identityToken !== undefined && credential.identityToken !== '')
    return true;
  return credential.username !== undefined && credential.password !== undefined;
}

/** Credentials given explicitly, per registry (from flags or a caller). */
export class StaticCredentials implements CredentialStore {
  readonly #entries = new Map<string, Credential>();

  constructor(entries: Record<string, Credential> = {}) {
    for (const [registry, credential] of Object.entries(entries)) {
      this.set(registry, credential);
    }
  }

  set(registry: string, credential: Credential): void {
    this.#entries.set(credentialKey(registry), { ...credential });
  }

  async get(
    registry: string,
    _purpose?: CredentialPurpose,
  ): Promise<Credential | undefined> {
    return this.#entries.get(credentialKey(registry));
  }
}

/**
 * `GANTRY_USERNAME` and `GANTRY_PASSWORD`, for the registry named by
 * `GANTRY_REGISTRY` or, when that is unset, for every registry.
 */
export function credentialsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): CredentialStore {
  const username = env.GANTRY_USERNAME;
  const password = env.GANTRY_PASSWORD;
  const only = env.GANTRY_REGISTRY;
  const onlyKey = only === undefined || only === '' ? undefined : credentialKey(only);
  return {
    async get(registry: string): Promise<Credential | undefined> {
      if (username === undefined || password === undefined) return undefined;
      if (onlyKey !== undefined && credentialKey(registry) !== onlyKey) return undefined;
      return { username, password };
    },
  };
}

/** Asks each store in turn; the first credential found wins. */
export function chainCredentials(...stores: CredentialStore[]): CredentialStore {
  return {
    async get(registry, purpose): Promise<Credential | undefined> {
      for (const store of stores) {
        const credential = await store.get(registry, purpose);
        if (credential !== undefined) return credential;
      }
      return undefined;
    },
  };
}

/** A password longer than this on stdin is a mistake (a file piped by accident). */
export const MAX_STDIN_PASSWORD_BYTES = 64 * 1024;

/**
 * Reads a password piped on stdin (`--password-stdin`), dropping one trailing
 * newline (`\n` or `\r\n`) as `echo` and here-strings add it. Nothing (an
 * empty stdin, a bare newline) and more than MAX_STDIN_PASSWORD_BYTES are
 * usage errors, raised before any request is sent.
 */
export async function readPasswordFromStdin(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    size += buffer.length;
    if (size > MAX_STDIN_PASSWORD_BYTES) {
      stream.destroy();
      throw new GantryError(
        ErrorCode.Usage,
        `the password on standard input is over ${MAX_STDIN_PASSWORD_BYTES} bytes`,
        {
          hint: `pipe only the password (at most ${MAX_STDIN_PASSWORD_BYTES} bytes)`,
        },
      );
    }
    chunks.push(buffer);
  }
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password === '') {
    throw new GantryError(ErrorCode.Usage, 'no password on standard input', {
      hint: 'pipe the password, e.g. printf %s "$TOKEN" | gantry --password-stdin ...',
    });
  }
  return password;
}
