/**
 * A loopback TCP proxy in front of a test server that counts the connections clients open
 * and can cut one: `cutWhen` is shown each chunk a client sends and, when it answers true,
 * both sides are destroyed before the chunk reaches the server (so the server never saw it).
 */
import net from 'node:net';

/** A running proxy. */
export interface TcpProxy {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Connections still open. */
  readonly open: number;
  /** Decides, per chunk a client sends, whether to cut that connection there. */
  cutWhen: ((chunk: string, connection: number) => boolean) | undefined;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port forwarding to `127.0.0.1:targetPort`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const live = new Set<net.Socket>();
  let connections = 0;
  const proxy: TcpProxy = {
    port: 0,
    get connections() {
      return connections;
    },
    get open() {
      return live.size;
    },
    cutWhen: undefined,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
  const server = net.createServer((client) => {
    const number = ++connections;
    live.add(client);
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (proxy.cutWhen?.(chunk.toString('latin1'), number)) cut();
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => {
      live.delete(client);
      cut();
    });
    upstream.on('close', cut);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  proxy.port = (server.address() as net.AddressInfo).port;
  return proxy;
}
