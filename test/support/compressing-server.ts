/**
 * A plain node:http target that compresses with Node's zlib, for the content-coding tests. Every
 * response has a content-length (no chunk framing), so the bytes it writes on its sockets are
 * exactly what a client receives.
 *
 * Routes (query `enc`: gzip, deflate, deflate-raw (sent as `deflate`), br, zstd, or `negotiate`
 * to pick the first coding the request's accept-encoding lists; default negotiate):
 * - `/json`, `/text`, `/html`: a body of that type, encoded per `enc`
 * - `/corrupt`: `content-encoding: gzip` over bytes that are not gzip
 * - `/truncated`: a gzip body missing its last 10 bytes
 * - `/bomb?mb=N`: N MiB of zeros, gzip-compressed (a few KiB on the wire)
 * - `/unknown`: `content-encoding: compress` (LZW, which nobody decodes)
 * - `/empty`: 204 with `content-encoding: gzip` and no body
 * - `/redirect-corrupt`: a 302 to /json whose body claims gzip and is not
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import zlib from 'node:zlib';

export interface CompressingServer {
  readonly url: string;
  /** The accept-encoding header of each request, by path (undefined when absent). */
  readonly acceptEncoding: Map<string, (string | undefined)[]>;
  /** Bytes written on every socket so far (open and closed). */
  bytesWritten(): number;
  close(): Promise<void>;
}

export const JSON_DOC = { id: 'A-42', status: 'ready', items: Array.from({ length: 50 }, (_, i) => ({ n: i, name: `item ${i}` })) };
export const TEXT = `order #1234 ready\n${'lorem ipsum '.repeat(400)}`;
export const HTML = `<html><body><h1 class="title">Welcome back</h1><input name="csrf" value="tok-77">${'<p>filler</p>'.repeat(200)}</body></html>`;

type Coding = 'gzip' | 'deflate' | 'deflate-raw' | 'br' | 'zstd' | 'identity';

const zstdCompressSync = (zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer }).zstdCompressSync;

function encode(body: Buffer, coding: Coding): Buffer {
  switch (coding) {
    case 'gzip':
      return zlib.gzipSync(body);
    case 'deflate':
      return zlib.deflateSync(body);
    case 'deflate-raw':
      return zlib.deflateRawSync(body);
    case 'br':
      return zlib.brotliCompressSync(body);
    case 'zstd':
      if (zstdCompressSync === undefined) throw new Error('no zstd in this Node.js');
      return zstdCompressSync(body);
    case 'identity':
      return body;
  }
}

function negotiate(req: IncomingMessage): Coding {
  const accepted = (req.headers['accept-encoding'] ?? '').split(',').map((s) => s.trim().split(';')[0]);
  for (const c of accepted) if (c === 'gzip' || c === 'deflate' || c === 'br') return c;
  return 'identity';
}

function send(res: ServerResponse, status: number, type: string, coding: Coding, data: Buffer, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  if (type !== '') res.setHeader('content-type', type);
  if (coding !== 'identity') res.setHeader('content-encoding', coding === 'deflate-raw' ? 'deflate' : coding);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('content-length', data.length);
  res.end(data);
}

export async function startCompressingServer(): Promise<CompressingServer> {
  const sockets = new Set<Socket>();
  const acceptEncoding = new Map<string, (string | undefined)[]>();
  const bomb = new Map<number, Buffer>();
  const srv = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const list = acceptEncoding.get(u.pathname) ?? [];
    list.push(req.headers['accept-encoding']);
    acceptEncoding.set(u.pathname, list);
    const enc = u.searchParams.get('enc') ?? 'negotiate';
    const coding: Coding = enc === 'negotiate' ? negotiate(req) : (enc as Coding);
    switch (u.pathname) {
      case '/json':
        return send(res, 200, 'application/json', coding, encode(Buffer.from(JSON.stringify(JSON_DOC)), coding));
      case '/text':
        return send(res, 200, 'text/plain; charset=utf-8', coding, encode(Buffer.from(TEXT), coding));
      case '/html':
        return send(res, 200, 'text/html; charset=utf-8', coding, encode(Buffer.from(HTML), coding));
      case '/corrupt':
        return send(res, 200, 'application/json', 'gzip', Buffer.from('{"id":"this is not gzip"}'));
      case '/truncated': {
        const full = zlib.gzipSync(Buffer.from(JSON.stringify(JSON_DOC)));
        return send(res, 200, 'application/json', 'gzip', full.subarray(0, full.length - 10));
      }
      case '/bomb': {
        const mb = Number(u.searchParams.get('mb') ?? '8');
        let b = bomb.get(mb);
        if (b === undefined) {
          b = zlib.gzipSync(Buffer.alloc(mb * 1024 * 1024));
          bomb.set(mb, b);
        }
        return send(res, 200, 'application/json', 'gzip', b);
      }
      case '/unknown':
        return send(res, 200, 'text/plain', 'identity', Buffer.from('LZW?'), { 'content-encoding': 'compress' });
      case '/empty':
        return send(res, 204, '', 'gzip', Buffer.alloc(0));
      case '/redirect-corrupt':
        return send(res, 302, 'text/plain', 'gzip', Buffer.from('not gzip'), { location: '/json?enc=gzip' });
      default:
        return send(res, 404, 'text/plain', 'identity', Buffer.from('not found'));
    }
  });
  srv.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const addr = srv.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    acceptEncoding,
    bytesWritten: () => [...sockets].reduce((n, s) => n + s.bytesWritten, 0),
    close: () =>
      new Promise<void>((resolve) => {
        srv.closeAllConnections();
        srv.close(() => resolve());
      }),
  };
}
