/**
 * A `unique` feed with `onExhausted: stop` is used by exactly as many iterations as it has rows:
 * a target that counts what reaches it receives no request past the last row, with several VUs,
 * an open model, and `--workers 2` shards, even when the journey's first step does not name the feed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, scenarioFile } from '../support/run-helpers.js';

const ROWS = 12;
let server: Server;
let url = '';
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  seen.length = 0;
});

const scenario = (load: string): string => `
name: unique-feed
target: ${url}
data:
  users:
    rows: [${Array.from({ length: ROWS }, (_, i) => `[u${i}]`).join(', ')}]
    columns: [id]
    order: unique
    onExhausted: stop
load: ${load}
journeys:
  - name: signup
    steps:
      - { name: home, get: /home }
      - { think: 20ms }
      - { name: register, post: "/register?user={{ users.id }}" }
`;

const cases: [string, string, string[]][] = [
  ['4 VUs', '{ vus: 4, duration: 20s }', []],
  ['4 VUs over --workers 2', '{ vus: 4, duration: 20s }', ['--workers', '2']],
  ['an open model', '{ phases: [{ duration: 20s, rate: 40 }] }', []],
  ['an open model over --workers 2', '{ phases: [{ duration: 20s, rate: 40 }] }', ['--workers', '2']],
];

describe('a unique feed that runs out', () => {
  it.each(cases)('%s: exactly one iteration per row reaches the target, each row once', async (_name, load, extra) => {
    const { dir, file } = await scenarioFile(scenario(load));
    const t0 = Date.now();
    const r = await runCli(['run', file, '--quiet', ...extra], { cwd: dir, env: {} });
    expect(r.stderr).not.toMatch(/internal error/i);
    expect(r.stdout + r.stderr).toContain('data feed users has no unique row left');
    // The load ended when the feed ran out, not at the end of its 20 s.
    expect(Date.now() - t0).toBeLessThan(15_000);
    const homes = seen.filter((u) => u === '/home');
    const users = seen.filter((u) => u.startsWith('/register')).map((u) => u.split('=')[1]);
    expect(homes).toHaveLength(ROWS);
    expect([...users].sort()).toEqual(Array.from({ length: ROWS }, (_, i) => `u${i}`).sort());
    expect(seen).toHaveLength(2 * ROWS);
  });
});
