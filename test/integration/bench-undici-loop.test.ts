/**
 * The bench's bare undici loop (bench/undici-loop.ts), the floor the benchmark sets rampart's figures
 * beside: it must send the load it is asked for, or the ratios read against it mean nothing. Each run
 * is short and goes to a server on 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const LOOP = join(import.meta.dirname, '../../bench/undici-loop.ts');

let server: Server;
let url = '';
let requests = 0;
let connections = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    res.end('hello');
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
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

async function loop(...args: string[]): Promise<Printed> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', LOOP, url, ...args], { timeout: 30_000 });
  return JSON.parse(stdout) as Printed;
}

describe('bench/undici-loop.ts', () => {
  it('sends an open model’s evenly spaced arrivals: exactly the planned count, with their latency', async () => {
    const out = await loop('20', '2', '--rate', '150');
    expect(out.requests).toBe(300);
    expect(requests).toBe(300);
    expect(connections).toBeLessThanOrEqual(20);
    expect(out.p50Ms).toBeGreaterThan(0);
    expect(out.p99Ms).toBeGreaterThanOrEqual(out.p50Ms as number);
    expect(out.secondP99Ms).toHaveLength(2);
    for (const p of out.secondP99Ms ?? []) expect(p).toBeGreaterThan(0);
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
