/**
 * The code warm-up's own server (src/engine/warm-up.ts): the generator's requests go there, never
 * to the target.
 */
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';

const BODY = JSON.stringify({ ok: true, id: 'w-1', items: [{ id: 1 }, { id: 2 }] });
// The headers most servers send (Node's http, nginx), so their parsing is warm too.
const RESPONSE = Buffer.from(
  `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${BODY.length}\r\ndate: Thu, 01 Jan 2026 00:00:00 GMT\r\n` +
    `connection: keep-alive\r\nkeep-alive: timeout=5\r\nx-warm: yes\r\n\r\n${BODY}`,
);
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;

/**
 * A keep-alive HTTP/1.1 server on 127.0.0.1:0 that answers every request with the same JSON at
 * once. A few lines over a TCP socket rather than node:http, so the warm-up spends its CPU on the
 * generator's own code, not on a server's.
 */
export async function startWarmServer(): Promise<{ readonly url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket)).on('error', () => socket.destroy());
    let buf = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(CONTENT_LENGTH.exec(buf.slice(0, end + 2))?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        buf = buf.slice(end + 4 + length);
        socket.write(RESPONSE);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
