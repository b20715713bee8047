/**
 * A real WebSocket server for ws step tests, on 127.0.0.1 port 0 (Fastify with the mocks'
 * @fastify/websocket setup). Paths:
 * - `/echo`: answers each message with itself; `{"after": ms, "reply": …}` answers `reply` after `ms`.
 * - `/close`: closes with 1011 on the first message; `/drop`: drops the TCP connection on it.
 * - `/silent`: never sends; `/hang`: never answers the handshake; `/deaf`: completes the handshake,
 *   then ignores everything, close frames included (`deafOpen()` counts its live connections);
 *   anything else: 404.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import Fastify from 'fastify';
import { onText, registerWebSockets, sendText, type WsPeer } from '../../mocks/common/websocket.js';

export interface WsTestServer {
  /** `ws://127.0.0.1:<port>` */
  readonly url: string;
  /** `http://127.0.0.1:<port>` */
  readonly httpUrl: string;
  /** Handshake headers of the last connection. */
  lastHeaders: IncomingHttpHeaders;
  /** Sockets open now. */
  open(): number;
  /** `/deaf` connections still open. */
  deafOpen(): number;
  /** Messages received, in order. */
  readonly received: string[];
  close(): Promise<void>;
}

/** The `Sec-WebSocket-Accept` value for a client's key (RFC 6455 §1.3), for the hand-made `/deaf` handshake. */
const acceptKey = (key: string): string => createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

export async function startWsServer(): Promise<WsTestServer> {
  const app = Fastify({ forceCloseConnections: true });
  await registerWebSockets(app);
  const peers = new Set<WsPeer>();
  const raw = new Set<Socket>();
  const deaf = new Set<Socket>();
  const state: WsTestServer = {
    url: '',
    httpUrl: '',
    lastHeaders: {},
    open: () => peers.size,
    deafOpen: () => deaf.size,
    received: [],
    close: async () => {
      for (const p of peers) p.terminate();
      for (const s of raw) s.destroy();
      await app.close();
    },
  };
  // `/hang` never answers the handshake; `/deaf` answers it by hand, then reads and ignores every frame.
  app.addHook('onRequest', async (req, reply) => {
    if (!req.ws || (req.url !== '/hang' && req.url !== '/deaf')) return;
    reply.hijack();
    const socket = req.raw.socket as Socket;
    raw.add(socket);
    socket.on('close', () => raw.delete(socket));
    if (req.url === '/hang') return;
    deaf.add(socket);
    socket.on('close', () => deaf.delete(socket));
    socket.on('end', () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.resume();
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${acceptKey(String(req.headers['sec-websocket-key']))}\r\n\r\n`);
  });
  for (const path of ['/echo', '/close', '/drop', '/silent', '/hang', '/deaf']) {
    app.get(path, { websocket: true }, (p: WsPeer, req) => {
      state.lastHeaders = req.headers;
      peers.add(p);
      p.on('close', () => peers.delete(p));
      onText(p, (text) => {
        state.received.push(text);
        if (path === '/close') return p.close(1011, 'done with you');
        if (path === '/drop') return p.terminate();
        if (path !== '/echo') return;
        let o: { after?: number; reply?: unknown } | undefined;
        try {
          o = JSON.parse(text) as typeof o;
        } catch {
          o = undefined;
        }
        if (o !== undefined && o !== null && typeof o.after === 'number') {
          const reply = JSON.stringify(o.reply);
          setTimeout(() => sendText(p, reply), o.after);
        } else sendText(p, text);
      });
    });
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  return Object.assign(state, { url: `ws://127.0.0.1:${port}`, httpUrl: `http://127.0.0.1:${port}` });
}
