/**
 * The bench's floor loops, which the benchmark sets rampart's figures beside: the bare undici loop
 * (bench/undici-loop.ts, the floor under rampart's HTTP client) and the socket write loop
 * (bench/socket-loop.ts, the floor under every Node HTTP client). Each must send the load it is
 * asked for and count only whole answers, or the ratios read against it mean nothing. Each run is
 * short and goes to a server on 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const UNDICI_LOOP = join(import.meta.dirname, '../../bench/undici-loop.ts');
const SOCKET_LOOP = join(import.meta.dirname, '../../bench/socket-loop.ts');

let server: Server;
let url = '';
let requests = 0;
let connections = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    // A body split over two writes: the loop must wait for all of it before it sends the next GET.
    if (req.url === '/chunked') {
      res.write('hello ');
      setTimeout(() => res.end('world'), 2);
      return;
    }
    if (req.url === '/close') {
      res.setHeader('connection', 'close');
      res.end('hello');
      return;
    }
    if (req.url === '/split') {
      res.setHeader('content-length', '11');
      res.write('hello ');
      setTimeout(() => res.end('world'), 2);
      return;
    }
    res.end('hello');
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests = 0;
  connections = 0;
});

interface Printed {
  requests: number;
  lagP99Ms?: number;
  lagMaxMs?: number;
  p50Ms?: number;
  p99Ms?: number;
  secondP99Ms?: number[];
}

/** An open model's latency figures: a whole-run p50 and p99, and a p99 for each of `seconds`. */
function expectLatencies(out: Printed, seconds: number): void {
  expect(out.p50Ms).toBeGreaterThan(0);
  expect(out.p99Ms).toBeGreaterThanOrEqual(out.p50Ms as number);
  expect(out.secondP99Ms).toHaveLength(seconds);
  for (const p of out.secondP99Ms ?? []) expect(p).toBeGreaterThan(0);
}

async function runLoop(script: string, path: string, args: string[]): Promise<Printed> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, `${url}${path}`, ...args], { timeout: 30_000 });
  return JSON.parse(stdout) as Printed;
}

describe('bench/undici-loop.ts', () => {
  const loop = (...args: string[]): Promise<Printed> => runLoop(UNDICI_LOOP, '/', args);

  it('sends an open model’s evenly spaced arrivals: exactly the planned count, with their latency', async () => {
    const out = await loop('20', '2', '--rate', '150');
    expect(out.requests).toBe(300);
    expect(requests).toBe(300);
    expect(connections).toBeLessThanOrEqual(20);
    expectLatencies(out, 2);
  });

  it('warms up with --warm GETs to the target before the measured arrivals, which it counts alone', async () => {
    const out = await loop('10', '1', '--rate', '100', '--warm', '250');
    expect(out.requests).toBe(100);
    expect(requests).toBe(350);
  });

  it('runs thinking VUs, each on its own connection with --per-vu', async () => {
    const out = await loop('1', '1', '--vus', '12', '--think', '20-40', '--ramp', '100', '--per-vu');
    const sent = out.requests;
    expect(out.lagMaxMs).toBeGreaterThanOrEqual(out.lagP99Ms as number);
    expect(out.lagP99Ms).toBeGreaterThanOrEqual(0);
    expect(connections).toBe(12);
    expect(requests).toBe(sent);
    // 12 VUs thinking at least 20 ms send at most 50 GETs each in a second, and every one sends some.
    expect(sent).toBeGreaterThanOrEqual(12);
    expect(sent).toBeLessThanOrEqual(12 * 51);
  });

  it.each([[[]], [['--stack']]])('shares a pool among the VUs without --per-vu (%j)', async (extra) => {
    const sent = (await loop('4', '1', '--vus', '30', '--think', '1-2', ...extra)).requests;
    expect(connections).toBeLessThanOrEqual(4);
    expect(requests).toBe(sent);
    // 30 VUs on 4 connections: requests wait for one, and every VU still gets its turn.
    expect(sent).toBeGreaterThan(30);
  });

  it('refuses a think time that is not MIN-MAX, an open model with VUs, and a warm-up without one', async () => {
    await expect(loop('4', '1', '--think', '5')).rejects.toThrow(/--think must be MIN-MAX/);
    await expect(loop('4', '1', '--rate', '100', '--per-vu')).rejects.toThrow(/takes no --vus, --per-vu or --stack/);
    await expect(loop('4', '1', '--vus', '8', '--per-vu', '--stack')).rejects.toThrow(/takes no --stack/);
    await expect(loop('4', '1', '--warm', '100')).rejects.toThrow(/--warm goes with --rate/);
  });
});

describe('bench/socket-loop.ts', () => {
  const loop = (path: string, ...args: string[]): Promise<Printed> => runLoop(SOCKET_LOOP, path, args);

  it('runs back-to-back loops on its connections, counting every answer', async () => {
    const out = await loop('/', '3', '1');
    expect(connections).toBe(3);
    expect(out.requests).toBeGreaterThan(30);
    // The answers counted, plus at most one GET per connection still unanswered at the end.
    expect(requests).toBeGreaterThanOrEqual(out.requests);
    expect(requests).toBeLessThanOrEqual(out.requests + 3);
    expect(out.lagMaxMs).toBeGreaterThanOrEqual(out.lagP99Ms as number);
  });

  it('waits for the whole body of an answer that arrives in two pieces', async () => {
    const out = await loop('/split', '1', '1');
    // One connection, 2 ms between the halves of each answer: at most a few hundred GETs, one at a time.
    expect(out.requests).toBeGreaterThan(10);
    expect(out.requests).toBeLessThanOrEqual(500);
    expect(requests - out.requests).toBeLessThanOrEqual(1);
  });

  it('sends an open model’s evenly spaced arrivals: exactly the planned count', async () => {
    const out = await loop('/', '20', '2', '--rate', '150');
    expect(out.requests).toBe(300);
    expect(requests).toBe(300);
    expect(connections).toBe(20);
    expectLatencies(out, 2);
  });

  it('replaces a connection the target closes after its answer, losing no arrival', async () => {
    // 2 connections, an arrival every 100 ms, each answer closing its connection.
    const out = await loop('/close', '2', '2', '--rate', '10');
    expect(out.requests).toBe(20);
    expect(requests).toBe(20);
    expect(connections).toBeGreaterThanOrEqual(20);
  });

  it('runs thinking VUs, each on its own connection with --per-vu', async () => {
    const out = await loop('/', '1', '1', '--vus', '12', '--think', '20-40', '--ramp', '100', '--per-vu');
    expect(connections).toBe(12);
    // 12 VUs thinking at least 20 ms send at most 50 GETs each in a second, and every one sends some.
    expect(out.requests).toBeGreaterThanOrEqual(12);
    expect(out.requests).toBeLessThanOrEqual(12 * 51);
    expect(requests - out.requests).toBeLessThanOrEqual(12);
  });

  it('shares its connections among the VUs without --per-vu', async () => {
    const out = await loop('/', '4', '1', '--vus', '30', '--think', '1-2');
    expect(connections).toBe(4);
    // 30 VUs on 4 connections: GETs wait for one, and every VU still gets its turn.
    expect(out.requests).toBeGreaterThan(30);
    expect(requests - out.requests).toBeLessThanOrEqual(4);
  });

  it('stops with an error on an answer it cannot frame, and on bad options', async () => {
    await expect(loop('/chunked', '1', '1')).rejects.toThrow(/an answer without content-length/);
    await expect(loop('/', '4', '1', '--think', '5')).rejects.toThrow(/--think must be MIN-MAX/);
    await expect(loop('/', '4', '1', '--rate', '100', '--per-vu')).rejects.toThrow(/takes no --vus or --per-vu/);
  });
});
