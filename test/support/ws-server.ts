/**
 * A real WebSocket server for ws step tests, on 127.0.0.1 port 0 (the mocks' RFC 6455 codec over a
 * Node HTTP server). Paths:
 * - `/echo`: answers each message with itself; `{"after": ms, "reply": …}` answers `reply` after `ms`.
 * - `/close`: closes with 1011 on the first message; `/drop`: drops the TCP connection on it.
 * - `/silent`: never sends; `/hang`: never answers the handshake; `/deaf`: completes the handshake,
 *   then ignores everything, close frames included (`deafOpen()` counts its live connections);
 *   anything else: 404.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { acceptKey, acceptUpgrade, refuseUpgrade, type WsPeer } from '../../mocks/common/websocket.js';

export interface WsTestServer {
  /** `ws://127.0.0.1:<port>` */
  readonly url: string;
  /** `http://127.0.0.1:<port>` */
  readonly httpUrl: string;
  /** Handshake headers of the last connection. */
  lastHeaders: http.IncomingHttpHeaders;
  /** Sockets open now. */
  open(): number;
  /** `/deaf` connections still open. */
  deafOpen(): number;
  /** Messages received, in order. */
  readonly received: string[];
  close(): Promise<void>;
}

export async function startWsServer(): Promise<WsTestServer> {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const peers = new Set<WsPeer>();
  const hanging = new Set<Duplex>();
  const deaf = new Set<Duplex>();
  const state: WsTestServer = {
    url: '',
    httpUrl: '',
    lastHeaders: {},
    open: () => peers.size,
    deafOpen: () => deaf.size,
    received: [],
    close: async () => {
      for (const p of peers) p.destroy();
      for (const s of [...hanging, ...deaf]) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/hang') {
      hanging.add(socket);
      return;
    }
    if (path === '/deaf') {
      deaf.add(socket);
      socket.on('close', () => deaf.delete(socket));
      socket.on('end', () => socket.destroy());
      socket.resume(); // reads and ignores every frame
      socket.on('error', () => socket.destroy());
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${acceptKey(String(req.headers['sec-websocket-key']))}\r\n\r\n`);
      return;
    }
    if (!['/echo', '/close', '/drop', '/silent'].includes(path ?? '')) {
      refuseUpgrade(socket, 404, 'no such endpoint');
      return;
    }
    state.lastHeaders = req.headers;
    const peer = acceptUpgrade(req, socket, head, {
      onText: (p, text) => {
        state.received.push(text);
        if (path === '/close') return p.close(1011, 'done with you');
        if (path === '/drop') return p.destroy();
        if (path !== '/echo') return;
        let o: { after?: number; reply?: unknown } | undefined;
        try {
          o = JSON.parse(text) as typeof o;
        } catch {
          o = undefined;
        }
        if (o !== undefined && o !== null && typeof o.after === 'number') {
          const reply = JSON.stringify(o.reply);
          setTimeout(() => p.send(reply), o.after);
        } else p.send(text);
      },
      onClose: (p) => peers.delete(p),
    });
    if (peer !== undefined) peers.add(peer);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return Object.assign(state, { url: `ws://127.0.0.1:${port}`, httpUrl: `http://127.0.0.1:${port}` });
}
