/**
 * The benchmark's target: a Node `http` hello-world server on 127.0.0.1 (port 0), started by
 * bench/run.ts as a child process (pinned to CPU 0 when taskset exists) and driven over IPC.
 *
 * It counts every request it answers in 100 ms buckets of the epoch clock
 * (performance.timeOrigin + performance.now()), so the parent can read the achieved rate, its
 * per-100-ms variation and the first request's instant for any window — the same count for every
 * generator. Routes (anything else answers `hello world`):
 *
 *   GET  /api/items        {"token":"…","items":[{"id":…},…]}      (JSON, for captures)
 *   GET  /api/items/<id>   {"id":<id>,"price":…}
 *   POST /api/orders       201 {"order":…}                         (the body is read)
 *
 * IPC: `{cmd:'stats', fromMs, toMs}` and `{cmd:'mark'}` (the next request becomes the first one)
 * both answer `{total, firstAt, windows, fromMs}`; `{cmd:'stop'}` closes the server.
 *
 * `--delay-ms N` answers every request after N ms (a slow target, for the memory run).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const BUCKET_MS = 100;
/** One hour of 100 ms buckets; a bench run is bounded well below that. */
const BUCKETS = 36_000;

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) ? v : fallback;
}

const delayMs = argValue('--delay-ms', 0);
const counts = new Int32Array(BUCKETS);
const origin = performance.timeOrigin;
/** The first bucket index (epoch ms / 100) of `counts`. */
const base = Math.floor((origin + performance.now()) / BUCKET_MS);
let total = 0;
let firstAt = 0;

const HELLO = Buffer.from('hello world');
const LIST = Buffer.from(JSON.stringify({ token: 'tok-5f2a9c', items: [{ id: 101 }, { id: 102 }, { id: 103 }] }));

function count(): void {
  const now = origin + performance.now();
  const i = Math.floor(now / BUCKET_MS) - base;
  if (i >= 0 && i < BUCKETS) counts[i] = (counts[i] as number) + 1;
  if (firstAt === 0) firstAt = now;
  total++;
}

function answer(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  if (url.startsWith('/api/')) {
    res.setHeader('content-type', 'application/json');
    if (url === '/api/items') {
      res.end(LIST);
    } else if (url.startsWith('/api/items/')) {
      const id = Number.parseInt(url.slice(11), 10);
      res.end(`{"id":${Number.isFinite(id) ? id : 0},"price":42.5}`);
    } else if (url === '/api/orders' && req.method === 'POST') {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => {
        res.statusCode = 201;
        res.end(`{"order":${total},"bytes":${n}}`);
      });
      return;
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
    return;
  }
  res.end(HELLO);
}

const server = createServer((req, res) => {
  count();
  if (delayMs > 0) setTimeout(answer, delayMs, req, res);
  else answer(req, res);
});
// Keep-alive connections of a 10,000-VU run stay open between slow answers.
server.keepAliveTimeout = 30_000;
server.headersTimeout = 60_000;
server.maxHeadersCount = 100;

type Message = { cmd: 'stats'; fromMs: number; toMs: number } | { cmd: 'mark' } | { cmd: 'stop' };

process.on('message', (m: Message) => {
  if (m.cmd === 'stop') {
    server.closeAllConnections();
    server.close(() => process.disconnect?.());
    return;
  }
  // `mark`: the next request is the new "first request" (a start-up measurement begins).
  if (m.cmd === 'mark') firstAt = 0;
  const range = m.cmd === 'stats' ? m : { fromMs: 0, toMs: 0 };
  // Buckets fully inside [fromMs, toMs): the parent aligns windows to 100 ms boundaries.
  const from = Math.max(0, Math.ceil(range.fromMs / BUCKET_MS) - base);
  const to = Math.min(BUCKETS, Math.floor(range.toMs / BUCKET_MS) - base);
  const windows = to > from ? Array.from(counts.subarray(from, to)) : [];
  process.send?.({ total, firstAt, windows, fromMs: (from + base) * BUCKET_MS });
});

server.listen({ port: 0, host: '127.0.0.1', backlog: 16_384 }, () => {
  const addr = server.address();
  process.send?.({ port: typeof addr === 'object' && addr !== null ? addr.port : 0 });
});
// The parent went away (crash, Ctrl-C): never outlive it.
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close();
  setTimeout(() => process.exit(0), 200).unref();
});
