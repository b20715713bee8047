/**
 * `parallel` steps against a real server: the requests of one step are in flight together (the
 * server holds each until all have arrived, so a sequential client would never get there), their
 * captures feed the steps after, and one failing request fails the step without cutting the others.
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli, scenarioFile, validateReport } from '../support/run-helpers.js';

let server: http.Server;
let url: string;
/** Requests waiting at the barrier, and the most that were ever in flight at once. */
let waiting: (() => void)[] = [];
let maxInFlight = 0;
let inFlight = 0;
const BARRIER = 3;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const answer = (): void => {
      inFlight--;
      if (path === '/broken') res.writeHead(500).end('{}');
      else if (path === '/sum') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ q: new URL(req.url ?? '/', 'http://x').searchParams.get('q') }));
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ part: path.slice(1) }));
    };
    if (path === '/sum') return answer();
    // Held until BARRIER requests wait together (or 5 s pass: then the test sees fewer in flight).
    const release = (): void => {
      clearTimeout(timer);
      answer();
    };
    const timer = setTimeout(() => {
      waiting = waiting.filter((w) => w !== release);
      answer();
    }, 5000);
    waiting.push(release);
    if (waiting.length >= BARRIER) {
      const all = waiting;
      waiting = [];
      for (const w of all) w();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

/** Requests a step sent over the run. */
const requests = (report: Report, step: string): number => report.series.filter((s) => s.metric === 'http.requests' && s.tags.step === step).reduce((n, s) => n + s.sum, 0);

describe('parallel steps', () => {
  it('sends the requests together and lets the next step use every capture', async () => {
    maxInFlight = 0;
    const { dir, file } = await scenarioFile(`
name: fan-out
target: ${url}
load: { vus: 1, iterations: 3 }
journeys:
  - name: page
    steps:
      - parallel:
          - { name: a, get: /a, capture: { a: { json: $.part } } }
          - { name: b, get: /b, capture: { b: { json: $.part } } }
          - { name: c, get: /c, capture: { c: { json: $.part } } }
      - name: sum
        get: /sum
        query: { q: "{{ a }}{{ b }}{{ c }}" }
        expect: { json: $.q, equals: abc }
thresholds:
  "expectations{step:sum}": "rate == 1"
`);
    const out = join(dir, 'r.json');
    const r = await runCli(['run', file, '--out', out, '--quiet'], { cwd: dir, env: {} });
    expect(r.stderr).not.toContain('internal error');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(maxInFlight).toBe(3);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    expect(report.journeys?.[0]).toMatchObject({ completed: 3, failed: 0 });
    expect(['a', 'b', 'c', 'sum'].map((step) => requests(report, step))).toEqual([3, 3, 3, 3]);
  }, 30_000);

  it('fails the step when one request fails, after the others ended', async () => {
    const { dir, file } = await scenarioFile(`
name: fan-out-broken
target: ${url}
load: { vus: 1, iterations: 2 }
journeys:
  - name: page
    steps:
      - parallel:
          - { name: ok1, get: /x, expect: { status: 200 } }
          - { name: bad, get: /broken, expect: { status: 200 } }
          - { name: ok2, get: /y, expect: { status: 200 } }
      - { name: after, get: /sum }
`);
    const out = join(dir, 'r.json');
    const r = await runCli(['run', file, '--out', out, '--quiet'], { cwd: dir, env: {} });
    expect(r.stderr).not.toContain('internal error');
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(report.journeys?.[0]).toMatchObject({ completed: 0, failed: 2 });
    expect(['ok1', 'bad', 'ok2', 'after'].map((step) => requests(report, step))).toEqual([2, 2, 2, 0]);
  }, 30_000);
});
