/**
 * Several load blocks from the command line against a real server: an open block and a closed
 * block run at the same time, each hitting only its journeys; split over 2 worker threads the open
 * block's arrivals still add up exactly, and the merged report is one run.
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli, scenarioFile, validateReport } from '../support/run-helpers.js';

let server: http.Server;
let url: string;
const hits = new Map<string, number>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

const scenario = (target: string): string => `
name: blocks
target: ${target}
load:
  - name: browsers
    journeys: [browse]
    phases: [{ name: browsing, duration: 2s, rate: 15 }]
  - name: buyers
    journeys: [buy]
    vus: 2
    duration: 2s
journeys:
  - { name: browse, steps: [{ get: /browse }] }
  - { name: buy, steps: [{ get: /buy }, { think: 100ms }] }
thresholds:
  "journeys.started{journey:browse}": "count == 30"
  "http.requests{phase:buyers-stage-1}": "count > 5"
`;

const started = (r: Report, journey: string): number => r.series.filter((s) => s.metric === 'journeys.started' && s.tags.journey === journey).reduce((n, s) => n + s.sum, 0);

describe('load blocks from the command line', () => {
  for (const workers of ['1', '2']) {
    it(`run side by side, each on its journeys (--workers ${workers})`, async () => {
      hits.clear();
      const { dir, file } = await scenarioFile(scenario(url));
      const out = join(dir, 'r.json');
      const r = await runCli(['run', file, '--out', out, '--quiet', '--workers', workers], { cwd: dir, env: {} });
      expect(r.stderr).not.toContain('internal error');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const report = JSON.parse(await readFile(out, 'utf8')) as Report;
      expect(validateReport(report)).toEqual([]);
      expect(report.scenario.model).toBe('blocks');
      expect(report.environment.workers ?? 1).toBe(Number(workers));
      expect(started(report, 'browse')).toBe(30);
      expect(started(report, 'buy')).toBeGreaterThan(5);
      expect(hits.get('/browse')).toBe(30);
      expect(hits.get('/buy')).toBe(started(report, 'buy'));
      // Side by side: both blocks' phases start at the beginning of the load.
      const [a, b] = ['browsing', 'buyers-stage-1'].map((n) => report.phases.find((p) => p.name === n)?.startOffsetMs ?? -1);
      expect(Math.abs((a as number) - (b as number))).toBeLessThan(500);
    }, 30_000);
  }
});
