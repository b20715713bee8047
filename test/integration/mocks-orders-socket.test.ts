import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'undici';
import type { FastifyInstance } from 'fastify';
import { OrdersFixture, newWorld, postOrder } from './mocks-orders-helpers.js';

const fx = new OrdersFixture();
const sockets: WebSocket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await fx.closeAll();
});

async function listen(app: FastifyInstance): Promise<string> {
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return url.replace(/^http/, 'ws');
}

/** Opens a socket and collects its messages (parsed) and its close code. */
async function open(url: string): Promise<{ ws: WebSocket; messages: Record<string, unknown>[]; closed: Promise<number> }> {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const messages: Record<string, unknown>[] = [];
  ws.addEventListener('message', (e) => messages.push(JSON.parse(String(e.data)) as Record<string, unknown>));
  const closed = new Promise<number>((r) => ws.addEventListener('close', (e) => r(e.code)));
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error(`cannot open ${url}`)));
  });
  return { ws, messages, closed };
}

describe('orders WebSocket: status pushed when a job is done (real Redis and Kafka)', () => {
  it('pushes queued, then done, to a socket on another instance than the one that took the order', async () => {
    const world = newWorld();
    const a = await fx.build(world);
    const b = await fx.build(world, { settings: { inProcessWorker: false } });
    const bUrl = await listen(b.app);
    const r = await postOrder(a.app);
    expect(r.status).toBe(202);
    const jobId = String(r.body.jobId);
    const s = await open(`${bUrl}/orders/ws`);
    s.ws.send(JSON.stringify({ subscribe: jobId }));
    await expect.poll(() => s.messages.at(-1), { timeout: 30_000 }).toEqual({ jobId, status: 'done' });
    // Statuses never go backwards, and the first one is the status at subscription time.
    const order = s.messages.map((m) => m.status);
    expect(order.indexOf('done')).toBe(order.length - 1);
    expect(['queued', 'processing', 'done']).toContain(order[0]);
  });

  it('subscribes from the query string; an unknown job, a bad message and another path are answered', async () => {
    const world = newWorld();
    const a = await fx.build(world);
    const url = await listen(a.app);
    const s = await open(`${url}/orders/ws?jobId=nope`);
    await expect.poll(() => s.messages[0]).toEqual({ jobId: 'nope', error: 'no order nope' });
    s.ws.send('hello');
    await expect.poll(() => s.messages[1]).toMatchObject({ error: expect.stringMatching(/subscribe/) });
    await expect(open(`${url}/elsewhere`)).rejects.toThrow(/cannot open/);
    // Refused with 404 and a message naming the endpoint, as an HTTP answer to the upgrade.
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${url.replace(/^ws/, 'http')}/elsewhere`, {
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('error', reject);
      req.end();
    });
    expect(refused.status).toBe(404);
    expect(JSON.parse(refused.body)).toMatchObject({ message: expect.stringMatching(/no WebSocket endpoint at \/elsewhere.*\/orders\/ws/) });
  });

  it('with --break consumer the job stays queued: no done is ever pushed', async () => {
    const world = newWorld();
    const a = await fx.build(world, { config: { breaks: ['consumer'] } });
    const url = await listen(a.app);
    const jobId = String((await postOrder(a.app)).body.jobId);
    const s = await open(`${url}/orders/ws?jobId=${jobId}`);
    await expect.poll(() => s.messages[0]).toEqual({ jobId, status: 'queued' });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(s.messages).toEqual([{ jobId, status: 'queued' }]);
  });

  it('closing the service closes all its sockets (1001) instead of hanging', async () => {
    const world = newWorld();
    const a = await fx.build(world);
    const url = await listen(a.app);
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => open(`${url}/orders/ws?jobId=j${i}`)));
    const t0 = performance.now();
    await fx.closeAll();
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(await Promise.all(all.map((s) => s.closed))).toEqual(Array(20).fill(1001));
  });
});
