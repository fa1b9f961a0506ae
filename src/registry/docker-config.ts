import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, GantryError, isGantryError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { getFromHelper } from './credential-helper.js';
import {
  type Credential,
  type CredentialPurpose,
  type CredentialStore,
  credentialKey,
} from './credentials.js';

/**
 * Credentials from the Docker CLI's config file, `$DOCKER_CONFIG/config.json`
 * or `~/.docker/config.json`: `credHelpers` per registry first, then the
 * `credsStore` default helper, then the `auths` entries.
 */

/** The server URL `docker login` uses for Docker Hub, in `auths` and with helpers. */
export const DOCKER_HUB_SERVER_URL = 'https://index.docker.io/v1/';

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export interface DockerConfigOptions {
  /** The config file; default from `DOCKER_CONFIG` or the home folder. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  /** Told when a pull goes on anonymously because a helper failed. */
  logger?: Logger;
  /** How long a credential helper may take (default CREDENTIAL_HELPER_TIMEOUT_MS). */
  helperTimeoutMs?: number;
}

/** The config file Docker would read in this environment. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const folder = env.DOCKER_CONFIG;
  if (folder !== undefined && folder !== '') return join(folder, 'config.json');
  return join(env.HOME ?? homedir(), '.docker', 'config.json');
}

export class DockerConfigCredentials implements CredentialStore {
  readonly path: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #logger: Logger;
  readonly #helperTimeoutMs: number | undefined;

  constructor(options: DockerConfigOptions = {}) {
    this.#env = options.env ?? process.env;
    this.path = options.path ?? dockerConfigPath(this.#env);
    this.#logger = options.logger ?? silentLogger;
    this.#helperTimeoutMs = options.helperTimeoutMs;
  }

  async get(
    registry: string,
    purpose: CredentialPurpose,
  ): Promise<Credential | undefined> {
    const config = await this.#read();
    if (config === undefined) return undefined;
    const key = credentialKey(registry);
    const helper = findHelper(config, key);
    if (helper !== undefined) {
      const fromHelper = await this.#fromHelper(helper, key, purpose);
      // A per-registry helper is the only source; the default store falls
      // back to `auths`, where `docker login` writes when no helper works.
      if (fromHelper !== undefined || config.credHelpers?.[key] !== undefined) {
        return fromHelper;
      }
    }
    return fromAuths(config, key, this.path);
  }

  async #fromHelper(helper: string, key: string, purpose: CredentialPurpose) {
    const serverUrl = key === 'docker.io' ? DOCKER_HUB_SERVER_URL : key;
    try {
      return await getFromHelper(helper, serverUrl, {
        configFile: this.path,
        env: this.#env,
        ...(this.#helperTimeoutMs === undefined
          ? {}
          : { timeoutMs: this.#helperTimeoutMs }),
      });
    } catch (error) {
      // A pull of a public image needs no credentials: go on without them.
      if (purpose === 'pull' && isGantryError(error, ErrorCode.CredentialHelper)) {
        this.#logger.warn(
          `${error.message}; going on without credentials for ${key}: ` +
            'public images can be read, a push or a private read fails',
        );
        return undefined;
      }
      throw error;
    }
  }

  async #read(): Promise<DockerConfigFile | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new GantryError(ErrorCode.Credentials, `cannot read ${this.path}`, {
        cause: error,
        hint: 'check the permissions of the Docker config file',
      });
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null)
        return parsed as DockerConfigFile;
    } catch {
      // reported below; the text may hold credentials, so it is not quoted
    }
    throw new GantryError(ErrorCode.Credentials, `${this.path} is not a JSON object`, {
      hint: 'fix the file, or point DOCKER_CONFIG at another folder',
    });
  }
}

function findHelper(config: DockerConfigFile, key: string): string | undefined {
  for (const [registry, helper] of Object.entries(config.credHelpers ?? {})) {
    if (credentialKey(registry) === key && helper !== '') return helper;
  }
  return config.credsStore === '' ? undefined : config.credsStore;
}

function fromAuths(config: DockerConfigFile, key: string, path: string) {
  const entries = Object.entries(config.auths ?? {});
  // An entry keyed exactly by the registry wins over `https://host` and the like.
  const match =
    entries.find(([name]) => name === key) ??
    entries.find(([name]) => credentialKey(name) === key);
  return match === undefined ? undefined : entryCredential(match[1], match[0], path);
}

function entryCredential(entry: AuthEntry, name: string, path: string) {
  const credential: Credential = {};
  if (typeof entry.username === 'string') credential.username = entry.username;
  if (typeof entry.password === 'string') credential.password = entry.password;
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new GantryError(
        ErrorCode.Credentials,
        `the "auth" field for ${name} in ${path} is not base64 of "username:password"`,
        { hint: `run docker login ${name} again to rewrite it` },
      );
    }
    // `auth` wins over the separate fields, as in the Docker CLI. Only the first
    // colon separates: a password may contain more.
    credential.username = decoded.slice(0, colon);
    credential.password = decoded.slice(colon + 1);
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') {
    credential.identityToken = entry.identitytoken;
  }
  return Object.keys(credential).length === 0 ? undefined : credential;
}
