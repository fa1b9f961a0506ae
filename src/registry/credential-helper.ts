import { spawn } from 'node:child_process';
import { ErrorCode, GantryError } from '../errors.js';
import type { Credential } from './credentials.js';

/**
 * The Docker credential helper protocol (docker/docker-credential-helpers):
 * `docker-credential-<name> get` reads the server URL on stdin and writes
 * `{"ServerURL": ..., "Username": ..., "Secret": ...}` on stdout. A Username
 * of `<token>` marks the Secret as an identity token.
 */

/**
 * A helper may wait on a keychain or a desktop service; half a minute is
 * long enough for that and short enough that a hung helper is reported.
 */
export const CREDENTIAL_HELPER_TIMEOUT_MS = 30_000;

/** Helpers answer with a few hundred bytes; more is not a credential. */
const MAX_HELPER_OUTPUT_BYTES = 1024 * 1024;

/** What helpers print (with a failing exit) when they hold nothing for the server. */
const NOT_FOUND_TEXT = 'credentials not found';

const IDENTITY_TOKEN_USERNAME = '<token>';

export interface HelperOptions {
  /** Where the helper was named, for messages (`~/.docker/config.json`). */
  configFile: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

interface HelperRun {
  exitCode: number | null;
  /** The signal that ended the helper, if one did. */
  signal: NodeJS.Signals | null;
  /** True when gantry stopped the helper after the timeout. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** Runs `docker-credential-<name> get`; undefined when it has no credentials. */
export async function getFromHelper(
  name: string,
  serverUrl: string,
  options: HelperOptions,
): Promise<Credential | undefined> {
  const binary = helperBinary(name, options.configFile);
  const run = await runHelper(binary, serverUrl, options);
  const output = `${run.stdout}\n${run.stderr}`.toLowerCase();
  if (run.timedOut) {
    const ms = options.timeoutMs ?? CREDENTIAL_HELPER_TIMEOUT_MS;
    throw new GantryError(
      ErrorCode.CredentialHelper,
      `credential helper ${binary} (named in ${options.configFile}) timed out ` +
        `after ${ms} ms for ${serverUrl} and was stopped`,
      {
        hint: `check that ${binary} does not wait for input (a locked keychain)`,
        details: { binary, configFile: options.configFile, timeoutMs: ms },
      },
    );
  }
  if (run.exitCode !== 0) {
    if (output.includes(NOT_FOUND_TEXT)) return undefined;
    const how =
      run.signal === null ? `exit code ${run.exitCode}` : `signal ${run.signal}`;
    throw new GantryError(
      ErrorCode.CredentialHelper,
      `credential helper ${binary} (named in ${options.configFile}) failed with ` +
        `${how} for ${serverUrl}`,
      { hint: `run "echo ${serverUrl} | ${binary} get" to see its own message` },
    );
  }
  return parseHelperOutput(run.stdout, binary, options.configFile);
}

function helperBinary(name: string, configFile: string): string {
  // The name comes from a config file and becomes part of a command: no paths.
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new GantryError(
      ErrorCode.CredentialHelper,
      `invalid credential helper name "${name}" in ${configFile}`,
      { hint: 'a helper name is the part after "docker-credential-", e.g. "pass"' },
    );
  }
  return `docker-credential-${name}`;
}

function parseHelperOutput(
  stdout: string,
  binary: string,
  configFile: string,
): Credential {
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    // The output may hold a secret: never quote it.
    throw new GantryError(
      ErrorCode.CredentialHelper,
      `credential helper ${binary} (named in ${configFile}) did not print JSON`,
      { hint: `check that ${binary} implements the docker credential helper protocol` },
    );
  }
  const username = typeof parsed.Username === 'string' ? parsed.Username : undefined;
  const secret = typeof parsed.Secret === 'string' ? parsed.Secret : undefined;
  if (username === IDENTITY_TOKEN_USERNAME) return { identityToken: secret ?? '' };
  return { username: username ?? '', password: secret ?? '' };
}

/**
 * SIGTERM lets a helper clean up; one that still runs after this grace is
 * killed, so a helper ignoring SIGTERM cannot hold gantry up.
 */
export const HELPER_KILL_GRACE_MS = 1_000;

function runHelper(binary: string, serverUrl: string, options: HelperOptions) {
  return new Promise<HelperRun>((resolve, reject) => {
    // Its own process group: a timeout then reaches the helper's children too
    // (a shell script's `sleep`), not only the shell.
    const child = spawn(binary, ['get'], {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (run: HelperRun) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(run);
    };
    const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8');
    // Not spawn's own `timeout`: its timer outlives a helper that never started.
    const timer = setTimeout(() => {
      killGroup(child.pid, 'SIGTERM');
      const grace = setTimeout(
        () => killGroup(child.pid, 'SIGKILL'),
        HELPER_KILL_GRACE_MS,
      );
      grace.unref();
      // Stop waiting: a grandchild may hold the pipes open after the helper died.
      child.stdout.destroy();
      child.stderr.destroy();
      finish({
        exitCode: null,
        signal: 'SIGTERM',
        timedOut: true,
        stdout: '',
        stderr: '',
      });
    }, options.timeoutMs ?? CREDENTIAL_HELPER_TIMEOUT_MS);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_HELPER_OUTPUT_BYTES) into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.stdin.on('error', () => {}); // a helper may exit without reading stdin
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (!settled) reject(spawnError(error, binary, options.configFile));
      settled = true;
    });
    child.on('close', (exitCode, signal) => {
      finish({ exitCode, signal, timedOut: false, stdout: text(out), stderr: text(err) });
    });
    child.stdin.end(serverUrl);
  });
}

/** Signals the helper's whole process group; a group already gone is fine. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: every process of the group has exited.
  }
}

function spawnError(error: NodeJS.ErrnoException, binary: string, configFile: string) {
  if (error.code === 'ENOENT') {
    return new GantryError(
      ErrorCode.CredentialHelper,
      `credential helper ${binary} (named in ${configFile}) was not found on PATH`,
      {
        hint: `install ${binary}, or remove it from credHelpers/credsStore`,
        details: { binary, configFile },
      },
    );
  }
  return new GantryError(
    ErrorCode.CredentialHelper,
    `credential helper ${binary} (named in ${configFile}) did not run: ${error.code}`,
    {
      cause: error,
      details: { binary, configFile },
      hint: `install ${binary}, or drop it from credsStore/credHelpers in ${configFile}`,
    },
  );
}
