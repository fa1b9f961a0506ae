import type { Logger } from '../log.js';
import { RegistryClient } from '../registry/client.js';
import {
  type CredentialStore,
  chainCredentials,
  credentialsFromEnv,
  readPasswordFromStdin,
  StaticCredentials,
} from '../registry/credentials.js';
import { DockerConfigCredentials } from '../registry/docker-config.js';
import type { SecretRegistry } from '../registry/redact.js';
import type { SessionOptions } from '../registry/session.js';
import type { CliIO } from './io.js';
import { type GlobalOptions, parseCaFiles, usageError } from './options.js';

/** What a command works with: the streams, the flags and a registry client. */
export interface CommandContext {
  io: CliIO;
  json: boolean;
  debug: boolean;
  client: RegistryClient;
}

/**
 * Builds the context of one command run. `registries` are the registries
 * named on the command line: explicit credentials (`--username` with
 * `--password-stdin`) apply to them and to no other host.
 */
export async function createContext(
  io: CliIO,
  options: GlobalOptions,
  secrets: SecretRegistry,
  registries: string[],
): Promise<CommandContext> {
  const logger = cliLogger(io, options.debug === true, secrets);
  const credentials = await credentialStore(io, options, secrets, registries, logger);
  const caFiles = parseCaFiles(options.caFile);
  const sessionOptions: SessionOptions = {
    credentials,
    caFiles,
    insecure: options.insecureRegistry ?? [],
    plainHttp: options.plainHttp ?? [],
    logger,
    secrets,
  };
  // The session picks HTTP or HTTPS per registry (registry/endpoint.ts).
  const client = new RegistryClient(sessionOptions);
  return { io, json: options.json === true, debug: options.debug === true, client };
}

/** Flags first, then `GANTRY_USERNAME`/`GANTRY_PASSWORD`, then docker's config.json. */
async function credentialStore(
  io: CliIO,
  options: GlobalOptions,
  secrets: SecretRegistry,
  registries: string[],
  logger: Logger,
): Promise<CredentialStore> {
  const stores: CredentialStore[] = [];
  const explicit = await explicitCredentials(io, options, secrets, registries);
  if (explicit !== undefined) stores.push(explicit);

  const { GANTRY_USERNAME: username, GANTRY_PASSWORD: password } = io.env;
  if (username !== undefined && password !== undefined) {
    secrets.addBasic(username, password);
  }
  stores.push(credentialsFromEnv(io.env));
  stores.push(new DockerConfigCredentials({ env: io.env, logger }));
  return chainCredentials(...stores);
}

async function explicitCredentials(
  io: CliIO,
  options: GlobalOptions,
  secrets: SecretRegistry,
  registries: string[],
): Promise<CredentialStore | undefined> {
  const username =
    options.username ??
    (options.passwordStdin ? nonEmpty(io.env.GANTRY_USERNAME) : undefined);
  if (username === undefined && !options.passwordStdin) return undefined;
  if (username === undefined) {
    throw usageError('--password-stdin needs a username', 'add --username USER');
  }

  const password = options.passwordStdin
    ? await readPasswordFromStdin(io.stdin)
    : io.env.GANTRY_PASSWORD;
  if (password === undefined) {
    throw usageError(
      '--username needs a password',
      'pipe it with --password-stdin, or set GANTRY_PASSWORD',
    );
  }

  secrets.addBasic(username, password);
  const store = new StaticCredentials();
  for (const registry of registries) store.set(registry, { username, password });
  return store;
}

/** Debug lines only with `--debug`; warnings always. Both redacted, on stderr. */
function cliLogger(io: CliIO, debug: boolean, secrets: SecretRegistry): Logger {
  return {
    debugEnabled: debug,
    debug(message: string): void {
      if (debug) io.stderr.write(`${secrets.redact(`debug: ${message}`)}\n`);
    },
    warn(message: string): void {
      io.stderr.write(`${secrets.redact(`gantry: warning: ${message}`)}\n`);
    },
  };
}

/** An empty environment variable counts as unset. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}
