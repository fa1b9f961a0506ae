import { connect, createServer, type Socket } from 'node:net';
import { after } from 'node:test';

/**
 * A TCP proxy in front of a registry that can be told to cut: once the
 * clients have sent a given number of bytes it drops every connection and
 * refuses new ones until healed, as a network that fails mid-upload does.
 */
export interface CuttingProxy {
  /** `127.0.0.1:PORT`, for references. */
  host: string;
  /** Cut after this many more bytes from clients. */
  cutAfter(bytes: number): void;
  /** Drop the connections once after this many bytes, then pass again. */
  cutOnceAfter(bytes: number): void;
  /**
   * Drop the connections once, when a client starts its `nth` request with
   * `method` (that request never reaches the registry), then pass again.
   */
  cutOnceAtRequest(method: string, nth: number): void;
  /** Connections dropped by cuts so far. */
  readonly drops: number;
  /** Pass everything through again. */
  heal(): void;
  /** Whether a cut happened since the last heal. */
  readonly cut: boolean;
}

export async function startCuttingProxy(upstreamPort: number): Promise<CuttingProxy> {
  const sockets = new Set<Socket>();
  let budget: number | undefined;
  let down = false;
  let once = false;
  let drops = 0;
  let request: { start: string; left: number } | undefined;

  /** Whether `chunk` starts the request the cut waits for. */
  const startsCutRequest = (chunk: Buffer): boolean => {
    if (request === undefined) return false;
    if (chunk.subarray(0, request.start.length).toString('latin1') !== request.start) {
      return false;
    }
    request.left--;
    if (request.left > 0) return false;
    request = undefined;
    return true;
  };

  const goDown = () => {
    down = !once;
    if (once) budget = undefined;
    drops += sockets.size / 2;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };

  const server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(upstreamPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (startsCutRequest(chunk)) {
        once = true;
        return goDown();
      }
      if (budget !== undefined) {
        budget -= chunk.length;
        if (budget < 0) return goDown();
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(
    () =>
      new Promise<void>((resolve) => {
        goDown();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    cutAfter(bytes: number) {
      budget = bytes;
      once = false;
    },
    cutOnceAfter(bytes: number) {
      budget = bytes;
      once = true;
    },
    cutOnceAtRequest(method: string, nth: number) {
      request = { start: `${method} `, left: nth };
    },
    get drops() {
      return drops;
    },
    heal() {
      budget = undefined;
      down = false;
      once = false;
      request = undefined;
    },
    get cut() {
      return down;
    },
  };
}
