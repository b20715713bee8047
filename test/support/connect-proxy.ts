/**
 * A small forward proxy for tests (node:http): it answers CONNECT by piping to the asked
 * `host:port`, and with `auth` set answers 407 unless `proxy-authorization` carries it. It counts
 * the tunnels it opened and remembers their authorities.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface TestProxy {
  readonly url: string;
  readonly port: number;
  /** `host:port` of every tunnel opened, in order. */
  readonly tunnels: string[];
  /** CONNECTs refused with 407. */
  readonly refused: number;
  close(): Promise<void>;
}

/** `tls`: the proxy itself speaks HTTPS with this certificate (an `https://` proxy). */
export async function startConnectProxy(opts: { auth?: { user: string; password: string }; tls?: { key: string; cert: string } } = {}): Promise<TestProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  let refused = 0;
  const expected = opts.auth !== undefined ? `Basic ${Buffer.from(`${opts.auth.user}:${opts.auth.password}`).toString('base64')}` : undefined;
  const refuse = (_req: unknown, res: import('node:http').ServerResponse): void => void res.writeHead(405).end('this proxy only tunnels (CONNECT)');
  const server: Server = opts.tls !== undefined ? createTlsServer(opts.tls, refuse) : createServer(refuse);
  server.on('connect', (req, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client)).on('error', () => client.destroy());
    if (expected !== undefined && req.headers['proxy-authorization'] !== expected) {
      refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm="test"\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const authority = req.url ?? '';
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(authority);
    if (m === null) {
      client.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(Number(m[2]), m[1] as string, () => {
      tunnels.push(authority);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => {
      if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${opts.tls !== undefined ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    tunnels,
    get refused() {
      return refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
