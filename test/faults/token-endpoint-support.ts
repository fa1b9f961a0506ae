import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { installExitHooks, track, untrack } from '../harness/lifecycle.js';
import { TOKEN_SERVICE } from '../harness/registries.js';
import { registryConfig } from '../harness/registry-config.js';
import { spawnRegistry } from '../harness/registry-process.js';
import { ensureRegistryBinary, rootDir } from '../harness/registry-setup.js';
import { startTokenServer } from '../harness/token-server.js';
import { userMap } from '../harness/users.js';

/**
 * A private token-auth registry (distribution 2.8) whose token server runs in
 * the test's own process with a fault hook in front of it. A fault is aimed
 * at one repository: the hook reads the repository from the `scope` of each
 * token request, so scenarios on different repositories share one registry.
 */

/** What the token endpoint does to a request for a faulted repository. */
export type TokenFault =
  /** Every request passes: only counted. */
  | 'none'
  /** 500 to the first two requests, then real answers. */
  | 'status-500-twice'
  /** 503 with `Retry-After: 1` to the first request, then real answers. */
  | 'status-503-retry-after'
  /** Never answers. */
  | 'hang'
  /** 200 with an HTML page. */
  | 'not-json'
  /** 200 with JSON that holds neither `token` nor `access_token`. */
  | 'no-token'
  /** 200 whose body stops halfway and the connection closes, every time. */
  | 'cut-body'
  /** The same, to the first request only. */
  | 'cut-body-once'
  /** 307 to the same server under another origin (`localhost` for 127.0.0.1). */
  | 'redirect-other-origin';

/** What the hook saw for one repository. */
export interface FaultRecord {
  /** Token requests that named the repository, faulted or not. */
  requests: number;
  faultsInjected: number;
  /** Milliseconds between the first request and the second, if any. */
  firstGapMs?: number;
  /** Requests that arrived at the other origin, and whether they carried credentials. */
  redirected: { authorization: boolean }[];
  firstAt?: number;
}

export interface FaultableTokenRegistry {
  host: string;
  /** Repository (without the host) -> what happened to its token requests. */
  records: Map<string, FaultRecord>;
  /** Aims `fault` at the token requests for `repository`, counting from zero. */
  aim(repository: string, fault: TokenFault): void;
  stop(): Promise<void>;
}

const ISSUER = 'gantry-token-fault-issuer';
/** A body long enough that half of it is surely not JSON. */
const CUT_BODY_LENGTH = 400;
let count = 0;

/** The repositories named in a token request's `scope` parameters. */
function repositoriesOf(url: URL): string[] {
  return url.searchParams
    .getAll('scope')
    .flatMap((scope) => scope.split(' '))
    .filter((scope) => scope.startsWith('repository:'))
    .map((scope) => scope.slice('repository:'.length, scope.lastIndexOf(':')));
}

function recordFor(records: Map<string, FaultRecord>, repository: string): FaultRecord {
  let record = records.get(repository);
  if (record === undefined) {
    record = { requests: 0, faultsInjected: 0, redirected: [] };
    records.set(repository, record);
  }
  return record;
}

/** Answers with `fault` and returns true, or returns false to pass the request on. */
function inject(
  fault: TokenFault,
  record: FaultRecord,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const nth = record.requests;
  switch (fault) {
    case 'none':
      return false;
    case 'status-500-twice':
      if (nth > 2) return false;
      res.writeHead(500, { 'content-type': 'application/json' }).end('{}');
      return true;
    case 'status-503-retry-after':
      if (nth > 1) return false;
      res.writeHead(503, { 'retry-after': '1' }).end();
      return true;
    case 'hang':
      return true;
    case 'not-json':
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>sign in</html>');
      return true;
    case 'no-token':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ expires_in: 300, issued_at: new Date().toISOString() }));
      return true;
    case 'cut-body-once':
    case 'cut-body': {
      if (fault === 'cut-body-once' && nth > 1) return false;
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(CUT_BODY_LENGTH),
      });
      res.write(`{"token":"${'x'.repeat(CUT_BODY_LENGTH / 4)}`);
      // Let the half body leave before the connection is cut.
      setImmediate(() => res.socket?.destroy());
      return true;
    }
    case 'redirect-other-origin': {
      const host = req.headers.host ?? '';
      if (host.startsWith('localhost:')) {
        record.redirected.push({
          authorization: req.headers.authorization !== undefined,
        });
        return false;
      }
      const port = host.slice(host.lastIndexOf(':') + 1);
      res.writeHead(307, { location: `http://localhost:${port}${req.url ?? '/'}` }).end();
      return true;
    }
  }
}

/** Starts the registry and its faultable token server; the caller stops them. */
export async function startFaultableTokenRegistry(
  options: { expiresIn?: number } = {},
): Promise<FaultableTokenRegistry> {
  installExitHooks({ signals: true });
  await ensureRegistryBinary();
  const dir = join(rootDir(), `token-faults-${process.pid}-${++count}`);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const faults = new Map<string, TokenFault>();
  const records = new Map<string, FaultRecord>();

  const intercept = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://token.invalid');
    for (const repository of repositoriesOf(url)) {
      const record = recordFor(records, repository);
      record.requests++;
      const fault = faults.get(repository);
      if (fault === undefined) continue;
      const now = Date.now();
      if (record.requests === 1) record.firstAt = now;
      if (record.requests === 2) record.firstGapMs = now - (record.firstAt ?? now);
      const answered = inject(fault, record, req, res);
      if (answered) record.faultsInjected++;
      return answered;
    }
    return false;
  };
  const tokens = await startTokenServer({
    dir,
    users: userMap(),
    issuer: ISSUER,
    intercept,
    ...(options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn }),
  });

  const registry = await spawnRegistry({
    logFile: join(dir, 'registry.log'),
    baseUrl: (port) => `http://127.0.0.1:${port}`,
    writeConfig: (port) => {
      const file = join(dir, 'config.yml');
      const token = {
        realm: tokens.realm,
        service: TOKEN_SERVICE,
        issuer: ISSUER,
        rootCertBundle: tokens.certFile,
      };
      writeFileSync(file, registryConfig({ port, dataDir, token }));
      return file;
    },
  }).catch(async (error: unknown) => {
    await tokens.stop();
    throw error;
  });

  const stoppable = {
    stop: async () => {
      untrack(stoppable);
      await registry.stop();
      await tokens.stop();
      await rm(dir, { recursive: true, force: true });
    },
    kill: () => registry.kill(),
  };
  track(stoppable);
  const aim = (repository: string, fault: TokenFault) => {
    faults.set(repository, fault);
    records.delete(repository);
  };
  return { host: `127.0.0.1:${registry.port}`, records, aim, stop: stoppable.stop };
}
