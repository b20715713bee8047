import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { runWithWorkers } from '../../src/distributed/threads/pool.js';
import type { Output, Report } from '../../src/report/model.js';
import { createServer, type Server } from 'node:http';
import { scenarioFile, validateReport } from '../support/run-helpers.js';

/** A target that answers 200 and remembers the `code` query of every request. */
let server: { url: string; codes: string[]; close(): Promise<void> };
beforeAll(async () => {
  const codes: string[] = [];
  const srv: Server = createServer((req, res) => {
    const m = /code=(\w+)/.exec(req.url ?? '');
    if (m?.[1]) codes.push(m[1]);
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  server = { url: `http://127.0.0.1:${port}`, codes, close: () => new Promise((r) => srv.close(() => r())) };
});
afterAll(async () => {
  await server.close();
});

const seriesCount = (r: Report, metric: string, tags: Record<string, string> = {}): number =>
  r.series.filter((s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v)).reduce((n, s) => n + s.count, 0);
const seriesSum = (r: Report, metric: string): number => r.series.filter((s) => s.metric === metric).reduce((n, s) => n + s.sum, 0);

describe('--workers: one run on worker threads', () => {
  it('7 arrivals/s over 3 workers is exactly 7/s, unique rows are used once across workers, outputs see one run', async () => {
    const { file } = await scenarioFile(`
name: workers-exact
target: ${server.url}
data:
  codes:
    order: unique
    onExhausted: recycle
    rows: [{ code: A }, { code: B }, { code: C }, { code: D }, { code: E }, { code: F }, { code: G }, { code: H }, { code: I }, { code: J }, { code: K }, { code: L }, { code: M }, { code: N }]
load:
  phases: [{ name: steady, duration: 2s, rate: 7 }]
journeys:
  - name: browse
    steps:
      - name: work
        get: /work?code={{ codes.code }}
        expect: { status: 200 }
thresholds:
  http.errors: ["rate < 1%"]
  "http.latency{step:work}": ["p(95) < 1000ms"]
gracefulStop: 2s
`);
    const plan = await loadScenario(file, { env: {} });
    const intervals: number[] = [];
    const ends: Report[] = [];
    let starts = 0;
    const probe: Output = { name: 'probe', start: () => void starts++, interval: (u) => void intervals.push(u.point.requests), end: (r) => void ends.push(r) };
    server.codes.length = 0;
    const { report } = await runWithWorkers({ plan, workers: 3, outputs: [probe], seed: 7, version: 'test', log: () => undefined });
    expect(validateReport(report)).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.verdict).toBe('passed');
    expect(report.environment.workers).toBe(3);
    // 7/s for 2 s: exactly 14 arrivals, whichever worker started them.
    expect(seriesSum(report, 'journeys.started')).toBe(14);
    expect(seriesSum(report, 'http.requests')).toBe(14);
    expect(seriesCount(report, 'http.latency', { step: 'work' })).toBe(14);
    // 14 unique rows over 14 arrivals: every row once, none twice (disjoint partitions per worker).
    expect([...server.codes].sort()).toEqual('ABCDEFGHIJKLMN'.split(''));
    expect(starts).toBe(1);
    expect(ends).toHaveLength(1);
    expect(intervals.length).toBeGreaterThanOrEqual(2);
    expect(intervals.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(14);
    expect(report.thresholds.every((t) => t.passed)).toBe(true);
    expect(report.phases.map((p) => p.name)).toEqual(['steady']);
  });
});
