import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { installExitHooks, track, untrack } from './lifecycle.js';
import { registryConfig } from './registry-config.js';
import { spawnRegistry } from './registry-process.js';
import {
  ensureRegistryBinary,
  rootDir,
  tlsCertificates,
  writeHtpasswd,
} from './registry-setup.js';
import { startTokenServerThread, type TokenServerThread } from './token-thread.js';
import { TEST_USERS, userMap } from './users.js';

/**
 * Real registries for the test suite: Debian's docker-registry (distribution
 * 2.8) as child processes on free loopback ports, one temp data dir each.
 * Kinds: `plain` HTTP, `tls` (CA made at test time), `basic` (htpasswd) and
 * `token` (token server in this process). See REGISTRY-NOTES.md.
 */

export { TEST_USERS };

export type RegistryKind = 'plain' | 'tls' | 'basic' | 'token';

export const REGISTRY_KINDS: readonly RegistryKind[] = ['plain', 'tls', 'basic', 'token'];

export interface TestRegistry {
  kind: RegistryKind;
  /** "127.0.0.1:PORT", as used in references. */
  host: string;
  /** "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT". */
  url: string;
  /** tls only: PEM path of the CA that signed the server certificate. */
  caFile?: string;
  /** basic and token: username -> password. */
  users?: Record<string, string>;
  /** token only: the token server's realm URL. */
  tokenRealm?: string;
}

export interface StartOptions {
  /** token only: `expires_in` of issued tokens, in seconds (default 300). */
  tokenExpiresIn?: number;
  /** `http.relativeurls`: Location headers as `/v2/...`. */
  relativeUrls?: boolean;
  /** Stop on SIGINT/SIGTERM (default true; scripts/test.ts does it itself). */
  signalHooks?: boolean;
}

export type RunningRegistry = TestRegistry & { stop(): Promise<void> };

/** Set by scripts/test.ts: the shared registries of the whole run, as JSON. */
export const REGISTRIES_ENV = 'GANTRY_TEST_REGISTRIES';

/** The `service` the token registry names and checks as the token audience. */
export const TOKEN_SERVICE = 'gantry-test';
const TOKEN_ISSUER = 'gantry-test-issuer';

let shared: Promise<Record<RegistryKind, TestRegistry>> | undefined;
let instanceCount = 0;

/** Starts one more registry of `kind`, private to the caller, who stops it. */
export async function startRegistry(
  kind: RegistryKind,
  options: StartOptions = {},
): Promise<RunningRegistry> {
  installExitHooks({ signals: options.signalHooks ?? true });
  await ensureRegistryBinary();
  const dir = join(rootDir(), `${kind}-${++instanceCount}`);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });

  const tls = kind === 'tls' ? await tlsCertificates() : undefined;
  let tokenServer: TokenServerThread | undefined;
  if (kind === 'token') {
    tokenServer = await startTokenServerThread({
      dir,
      users: userMap(),
      issuer: TOKEN_ISSUER,
      ...(options.tokenExpiresIn === undefined
        ? {}
        : { expiresIn: options.tokenExpiresIn }),
    });
  }
  const htpasswdFile = kind === 'basic' ? join(dir, 'htpasswd') : undefined;
  if (htpasswdFile !== undefined) writeHtpasswd(htpasswdFile);

  const scheme = tls === undefined ? 'http' : 'https';
  const registry = await spawnRegistry({
    logFile: join(dir, 'registry.log'),
    baseUrl: (port) => `${scheme}://127.0.0.1:${port}`,
    ...(tls === undefined ? {} : { caPem: await readFile(tls.ca.certFile, 'utf8') }),
    writeConfig: (port) => {
      const file = join(dir, 'config.yml');
      const token =
        tokenServer === undefined
          ? undefined
          : {
              realm: tokenServer.realm,
              service: TOKEN_SERVICE,
              issuer: TOKEN_ISSUER,
              rootCertBundle: tokenServer.certFile,
            };
      writeFileSync(
        file,
        registryConfig({
          port,
          dataDir,
          relativeUrls: options.relativeUrls ?? false,
          ...(tls === undefined ? {} : { tls: tls.server }),
          ...(htpasswdFile === undefined ? {} : { htpasswdFile }),
          ...(token === undefined ? {} : { token }),
        }),
      );
      return file;
    },
  }).catch(async (error: unknown) => {
    await tokenServer?.stop();
    throw error;
  });

  const stoppable = {
    stop: async () => {
      untrack(stoppable);
      await registry.stop();
      await tokenServer?.stop();
      await rm(dir, { recursive: true, force: true });
    },
    kill: () => registry.kill(),
  };
  track(stoppable);

  const host = `127.0.0.1:${registry.port}`;
  return {
    kind,
    host,
    url: `${scheme}://${host}`,
    ...(tls === undefined ? {} : { caFile: tls.ca.certFile }),
    ...(kind === 'basic' || kind === 'token' ? { users: userMap() } : {}),
    ...(tokenServer === undefined ? {} : { tokenRealm: tokenServer.realm }),
    stop: stoppable.stop,
  };
}

/** Starts one registry of each kind in parallel. */
export async function startRegistries(
  options: StartOptions = {},
): Promise<Record<RegistryKind, RunningRegistry>> {
  const started = await Promise.all(REGISTRY_KINDS.map((k) => startRegistry(k, options)));
  return Object.fromEntries(started.map((r) => [r.kind, r])) as Record<
    RegistryKind,
    RunningRegistry
  >;
}

/** The description of registries handed to test processes (no `stop`). */
export function describeRegistries(
  registries: Record<RegistryKind, TestRegistry>,
): Record<RegistryKind, TestRegistry> {
  return Object.fromEntries(
    REGISTRY_KINDS.map((kind) => {
      const { stop: _stop, ...description } = registries[kind] as RunningRegistry;
      return [kind, description];
    }),
  ) as Record<RegistryKind, TestRegistry>;
}

/**
 * The shared registries: those of `npm test` (from GANTRY_TEST_REGISTRIES),
 * or else four started once in this process and stopped when it ends.
 */
export function getRegistries(): Promise<Record<RegistryKind, TestRegistry>> {
  const fromEnv = process.env[REGISTRIES_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    return Promise.resolve(JSON.parse(fromEnv) as Record<RegistryKind, TestRegistry>);
  }
  shared ??= startRegistries().then(describeRegistries);
  return shared;
}
