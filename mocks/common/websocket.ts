/**
 * WebSocket endpoints of the mocks, served by @fastify/websocket (the `ws` package): a route
 * declared with `{ websocket: true }` gets the upgraded socket. Text messages only matter to the
 * mocks; permessage-deflate is not negotiated, and a message over {@link MAX_MESSAGE_BYTES} closes
 * the connection with 1009 (`ws` also closes on unmasked client frames, 1002, and invalid UTF-8, 1007).
 *
 * An upgrade to a path that is not a WebSocket route is refused with 404 (the socket is then
 * dropped). On `app.close()` every open socket is closed with 1001 and, if its client does not
 * answer the closing handshake within {@link CLOSE_WAIT_MS}, dropped: open sockets never keep the
 * app from closing.
 */
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { WebSocket } from 'ws';

/** Largest message accepted from a client, bytes; bigger closes with 1009. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** How long `app.close()` waits for clients to answer the closing handshake, ms. */
export const CLOSE_WAIT_MS = 1_000;
/** A client's socket, as `ws` gives it to a route. */
export type WsPeer = WebSocket;

/** Sends a text message if the socket is still open (a no-op once closing). */
export function sendText(peer: WsPeer, text: string): void {
  if (peer.readyState === WebSocket.OPEN) peer.send(text);
}

/** Calls `onText` for each text message of `peer` (binary messages are ignored). */
export function onText(peer: WsPeer, listener: (text: string) => void): void {
  peer.on('message', (data, isBinary) => {
    if (!isBinary) listener(data.toString('utf8'));
  });
}

/** Closes `peers` with 1001, then drops those still open after {@link CLOSE_WAIT_MS}. */
export async function closeAll(peers: Iterable<WsPeer>): Promise<void> {
  const waits = [...peers].filter((p) => p.readyState !== WebSocket.CLOSED).map(
    (p) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          p.terminate();
          resolve();
        }, CLOSE_WAIT_MS);
        p.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
        p.close(1001, 'server shutting down');
      }),
  );
  await Promise.all(waits);
}

/**
 * Registers @fastify/websocket on `app` (before any route, so every route can refuse or take an
 * upgrade) and refuses upgrades to paths that are not WebSocket routes.
 */
export async function registerWebSockets(app: FastifyInstance): Promise<void> {
  await app.register(websocket, {
    options: { maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false },
    preClose: async () => closeAll(app.websocketServer.clients),
  });
  const paths = new Set<string>();
  app.addHook('onRoute', (route) => {
    if (route.websocket === true) paths.add(route.url);
  });
  app.addHook('onRequest', async (req, reply) => {
    if (!req.ws || paths.has(req.routeOptions.url ?? '')) return undefined;
    const at = new URL(req.url, 'http://localhost').pathname;
    const known = paths.size > 0 ? [...paths].join(', ') : 'none on this instance';
    return reply.code(404).header('connection', 'close').send({ statusCode: 404, message: `no WebSocket endpoint at ${at}; WebSocket endpoints: ${known}` });
  });
}
