import { parentPort, workerData } from 'node:worker_threads';
import { startTokenServer, type TokenServerOptions } from './token-server.js';

// Thread body of token-thread.ts: serve tokens until told to stop.
const port = parentPort!;
try {
  const server = await startTokenServer(workerData as TokenServerOptions);
  port.on('message', () => {
    void server.stop().then(() => port.close());
  });
  port.postMessage({ realm: server.realm, certFile: server.certFile });
} catch (error) {
  port.postMessage({ error: String(error) });
  port.close();
}
