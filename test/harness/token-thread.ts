import { Worker } from 'node:worker_threads';
import type { TokenServerOptions } from './token-server.js';

/**
 * The token server on its own thread, as the token registry uses it.
 *
 * A test that blocks its event loop (execFileSync of skopeo against the token
 * registry) would otherwise deadlock: the tool waits for a token that the
 * blocked loop can never serve. Tokens issued on the thread are still
 * recorded in GANTRY_TEST_SECRETS_FILE (the thread inherits the environment).
 */

export interface TokenServerThread {
  realm: string;
  certFile: string;
  stop(): Promise<void>;
}

/**
 * Node 20 does not apply the parent's tsx loader to worker threads, so the
 * thread registers tsx itself before importing the TypeScript body.
 */
const TSX_API = import.meta.resolve('tsx/esm/api');
const BODY = new URL('./token-worker.ts', import.meta.url).href;
const BOOTSTRAP = `import(${JSON.stringify(TSX_API)})
  .then((tsx) => tsx.register())
  .then(() => import(${JSON.stringify(BODY)}));`;

type Ready = { realm: string; certFile: string } | { error: string };

export async function startTokenServerThread(
  options: TokenServerOptions,
): Promise<TokenServerThread> {
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData: options });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const ready = await new Promise<Ready>((resolve) => {
    worker.once('message', resolve);
    worker.once('error', (error) => resolve({ error: String(error) }));
  });
  if ('error' in ready) {
    await worker.terminate();
    throw new Error(`token server thread failed: ${ready.error}`);
  }
  // Never the reason a test process stays alive; stop() waits for it.
  worker.unref();

  return {
    realm: ready.realm,
    certFile: ready.certFile,
    stop: async () => {
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
