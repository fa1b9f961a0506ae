import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';

/**
 * One `docker-registry serve` child process: start on a free loopback port,
 * wait until it answers, stop without leaving a zombie.
 *
 * Children are unref'd so they never keep a test process alive; whoever
 * stops one re-refs it and waits for its exit, because the sandbox init does
 * not reap orphans (REGISTRY-NOTES.md, "Process hygiene").
 */

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

/** The registry answers about 80 ms after exec; this allows a very slow machine. */
const READY_TIMEOUT_MS = 15_000;
/** Between readiness probes: short, since startup time adds to every run. */
const READY_POLL_MS = 10;
/** After SIGTERM the registry exits at once; SIGKILL only if it hangs. */
const STOP_GRACE_MS = 5_000;
/** Another process may take the port between probe and bind; try again. */
const PORT_ATTEMPTS = 5;

/** A port that was free a moment ago (bind port 0 and release it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port bound');
  return address.port;
}

export interface RegistryProcess {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
  /** SIGKILL without waiting: only for the process `exit` hook. */
  kill(): void;
}

export interface SpawnOptions {
  /** Writes config.yml for the given port and returns its path. */
  writeConfig(port: number): string;
  logFile: string;
  /** The URL to probe, e.g. `http://127.0.0.1:PORT`. */
  baseUrl(port: number): string;
  /** The CA to trust while probing a TLS registry. */
  caPem?: string;
}

class PortClash extends Error {}

export async function spawnRegistry(options: SpawnOptions): Promise<RegistryProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOnce(await freePort(), options);
    } catch (error) {
      if (!(error instanceof PortClash) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

async function spawnOnce(port: number, options: SpawnOptions): Promise<RegistryProcess> {
  const configFile = options.writeConfig(port);
  const log = openSync(options.logFile, 'a');
  const child = spawn(REGISTRY_BINARY, ['serve', configFile], {
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();

  let dead: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      dead = `exited with ${code ?? signal}`;
      resolve();
    });
    child.once('error', (error) => {
      dead = `could not run ${REGISTRY_BINARY}: ${error.message}`;
      resolve();
    });
  });
  const stop = () => stopChild(child, exited, () => dead !== undefined);
  try {
    await waitReady(() => dead, options.baseUrl(port), options.caPem);
  } catch (error) {
    await stop();
    const logText = readFileSync(options.logFile, 'utf8');
    if (logText.includes('address already in use')) throw new PortClash(String(port));
    const tail = logText.trim().split('\n').slice(-5).join('\n');
    throw new Error(`registry on port ${port} did not start: ${error}\n${tail}`, {
      cause: error,
    });
  }
  const kill = () => {
    if (dead === undefined) child.kill('SIGKILL');
  };
  return { port, child, stop, kill };
}

async function waitReady(
  deadReason: () => string | undefined,
  baseUrl: string,
  caPem?: string,
): Promise<void> {
  const dispatcher = new Agent({ connect: caPem === undefined ? {} : { ca: caPem } });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      const reason = deadReason();
      if (reason !== undefined) throw new Error(reason);
      const status = await probe(`${baseUrl}/v2/`, dispatcher);
      if (status === 200 || status === 401) return;
      if (Date.now() > deadline) throw new Error(`no answer in ${READY_TIMEOUT_MS} ms`);
      await sleep(READY_POLL_MS);
    }
  } finally {
    await dispatcher.close();
  }
}

async function probe(url: string, dispatcher: Agent): Promise<number | undefined> {
  try {
    const response = await request(url, { dispatcher });
    await response.body.dump();
    return response.statusCode;
  } catch {
    return undefined;
  }
}

/** SIGTERM, wait for the exit (reaps the child), SIGKILL if it hangs. */
async function stopChild(
  child: ChildProcess,
  exited: Promise<void>,
  isDead: () => boolean,
): Promise<void> {
  if (isDead()) return;
  child.ref();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
