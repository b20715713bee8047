/**
 * A green run means a working service: for every failure class, a run in which that class fails
 * every journey does not exit 0 without any threshold (maxFailures), fails an `http.errors`
 * threshold when it has one, and shows the failures in the summary's errors column. Real HTTP
 * servers that answer the wrong thing, trickle, reset mid-body and send oversize bodies.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { refusedUrl, runCli, scenarioFile, validateReport } from '../support/run-helpers.js';

let server: Server;
let url: string;

/** Routes, each failing in its own way; `/ok` answers `{ ok: true, id: 1 }`. */
beforeAll(async () => {
  server = createServer((req, res) => {
    switch (req.url) {
      case '/ok':
        res.setHeader('content-type', 'application/json');
        res.end('{"ok":true,"id":1}');
        return;
      case '/unavailable':
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"ok":false}');
        return;
      case '/wrong':
      case '/no-id':
        res.setHeader('content-type', 'application/json');
        res.end('{"ok":false}');
        return;
      case '/trickle': {
        // Headers at once, then a byte every 100 ms: the body never completes within the timeout.
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
        const t = setInterval(() => res.write('x'), 100);
        res.on('close', () => clearInterval(t));
        return;
      }
      case '/reset':
        // A status line and part of the body, then the connection is torn down.
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
        res.write('OK partial', () => setTimeout(() => req.socket.resetAndDestroy(), 20));
        return;
      case '/large':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(64 * 1024) });
        res.end('OK'.padEnd(64 * 1024, 'x'));
        return;
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

/** A step that fails every journey with one class. */
interface Case {
  readonly cls: string;
  readonly step: string;
  readonly target?: () => Promise<string>;
  readonly http?: string;
}

const CASES: readonly Case[] = [
  { cls: '5xx', step: 'get: /unavailable\n        expect: { status: 200 }' },
  { cls: 'expectation', step: 'get: /wrong\n        expect: { json: $.ok, equals: true }' },
  { cls: 'capture', step: 'get: /no-id\n        capture: { id: { json: $.id } }' },
  { cls: 'timeout', step: 'get: /trickle', http: 'http: { timeout: 300ms }' },
  { cls: 'refused', step: 'get: /ok', target: refusedUrl },
  { cls: 'reset', step: 'get: /reset' },
  { cls: 'protocol', step: 'get: /large', http: 'http: { maxResponseSize: 1KB }' },
  // `decode` (a compressed body that does not decode) joins this table with response decoding.
];

const scenario = (target: string, c: Case, thresholds: string): string => `
name: lying-green-${c.cls}
target: ${target}
${c.http ?? ''}
load:
  phases: [{ duration: 1s, rate: 4 }]
journeys:
  - name: j
    steps:
      - name: hit
        ${c.step}
${thresholds}
gracefulStop: 3s
`;

async function run(c: Case, thresholds: string, extra: readonly string[] = []): Promise<{ code: number; stdout: string; stderr: string; report: Report }> {
  const { dir, file } = await scenarioFile(scenario(c.target !== undefined ? await c.target() : url, c, thresholds));
  const out = join(dir, 'report.json');
  const r = await runCli(['run', file, '--out', out, '--seed', '1', ...extra], { cwd: dir });
  const report = JSON.parse(await readFile(out, 'utf8')) as Report;
  return { ...r, report };
}

const errorsOf = (r: Report, cls: string): number => r.series.filter((s) => s.metric === 'http.errors' && s.tags['error'] === cls).reduce((n, s) => n + s.sum, 0);
const sumOf = (r: Report, metric: string): number => r.series.filter((s) => s.metric === metric).reduce((n, s) => n + s.sum, 0);

describe('a run where one failure class fails every journey is never green', () => {
  for (const c of CASES) {
    it(`${c.cls}: no threshold → exit 1 and a warning naming the class; the summary's errors column shows it`, async () => {
      const { code, stdout, stderr, report } = await run(c, '');
      expect(validateReport(report)).toEqual([]);
      expect(sumOf(report, 'journeys.failed')).toBeGreaterThan(0);
      expect(sumOf(report, 'journeys.completed')).toBe(0);
      expect(errorsOf(report, c.cls)).toBe(sumOf(report, 'journeys.failed'));
      // The live line and the timeline read the same per-second errors.
      expect(report.timeline.reduce((n, p) => n + p.errors, 0)).toBe(errorsOf(report, c.cls));
      expect(code).toBe(1);
      expect(report.verdict).toBe('failed');
      const warned = report.warnings.join('\n');
      expect(warned).toMatch(/journey iterations failed .*more than maxFailures\.journeys 10%/);
      expect(warned).toMatch(new RegExp(`requests failed \\(${c.cls} \\d+\\) \\(100%\\), more than maxFailures\\.errors 10%.*http\\.errors`));
      expect(stderr).toMatch(/maxFailures\.errors/);
      // the step's row: name, count, rps, errors …
      expect(stdout).toMatch(/hit\s+\d+\s+\S+\s+100(\.0)?\s?%/);
      expect(report.journeys?.[0]?.steps[0]?.errorRate).toBe(1);
      expect(stdout).toContain('verdict: FAILED');
    }, 20_000);

    it(`${c.cls}: an http.errors threshold fails on it`, async () => {
      const { code, report } = await run(c, 'thresholds:\n  http.errors: ["rate < 1%"]');
      expect(code).toBe(1);
      expect(report.thresholds[0]).toMatchObject({ metric: 'http.errors', passed: false, observed: 1 });
    }, 20_000);
  }
});

describe('a poll that never holds', () => {
  it('counts its last response in http.errors as timeout, and fails the run', async () => {
    const c: Case = { cls: 'timeout', step: 'poll: { get: /wrong, until: { json: $.ok, equals: true }, every: 100ms, timeout: 350ms }' };
    const { code, report } = await run(c, '');
    const failed = sumOf(report, 'journeys.failed');
    expect(failed).toBeGreaterThan(0);
    expect(errorsOf(report, 'timeout')).toBe(failed);
    expect(report.series.filter((s) => s.metric === 'http.requests' && s.tags['error'] === 'timeout' && s.tags['status'] === '200').reduce((n, s) => n + s.sum, 0)).toBe(failed);
    expect(code).toBe(1);
    expect(report.warnings.join('\n')).toMatch(/journey iterations failed \(100%; http.errors by class: timeout \d+\)/);
  }, 20_000);
});

describe('accepting failures', () => {
  it('a threshold on the metric replaces the default bound: expected failures can pass', async () => {
    const c = CASES[0] as Case;
    const { code, report } = await run(c, 'thresholds:\n  http.errors: ["rate <= 100%"]\n  journeys.failed: ["count < 100"]');
    expect(report.thresholds.every((t) => t.passed)).toBe(true);
    expect(report.warnings.join('\n')).not.toMatch(/maxFailures/);
    expect(code).toBe(0);
  }, 20_000);

  it('maxFailures raises the bounds; a few failures under the default pass', async () => {
    const c = CASES[1] as Case;
    const loose = await run(c, 'maxFailures: { journeys: 100%, errors: 100% }');
    expect(loose.code).toBe(0);
    expect(loose.report.verdict).toBe('passed');
    // 1 failing request of 12 (8 %) is under the default 10 %: a healthy run with a few errors passes.
    const { dir, file } = await scenarioFile(`
name: few-errors
target: ${url}
load:
  phases: [{ duration: 1s, rate: 12 }]
journeys:
  - name: j
    steps:
      - if: { value: "{{ vu.id }}", equals: 1 }
        then: [{ name: bad, get: /wrong, expect: { json: $.ok, equals: true } }]
        else: [{ name: good, get: /ok, expect: { json: $.ok, equals: true } }]
`);
    const r = await runCli(['run', file, '--quiet', '--out', join(dir, 'r.json'), '--seed', '1'], { cwd: dir });
    const report = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as Report;
    expect(errorsOf(report, 'expectation')).toBe(1);
    expect(r.code).toBe(0);
  }, 20_000);
});

describe('checks on failed responses', () => {
  it('a check on a response reset mid-body or cut as too large fails', async () => {
    for (const [path, http] of [
      ['/reset', ''],
      ['/large', 'http: { maxResponseSize: 1KB }'],
    ] as const) {
      const c: Case = { cls: 'x', step: `get: ${path}\n        check: { ok_status: { status: 200 }, ok_body: { body: { contains: OK } } }`, http };
      const { report } = await run(c, 'maxFailures: { journeys: 100%, errors: 100% }');
      const checks = report.series.filter((s) => s.metric === 'checks');
      expect(checks.length).toBe(2);
      for (const s of checks) {
        expect(s.count).toBeGreaterThan(0);
        expect(s.sum).toBe(0);
      }
    }
  }, 30_000);
});

describe('--workers 2', () => {
  it('judges the merged run by the same rule, and says each warning once', async () => {
    const c = CASES.find((x) => x.cls === 'refused') as Case;
    const { code, stderr, report } = await run(c, '', ['--workers', '2']);
    expect(report.environment.workers).toBe(2);
    expect(code).toBe(1);
    expect(report.verdict).toBe('failed');
    const bound = stderr.split('\n').filter((l) => l.includes('more than maxFailures.errors'));
    expect(bound).toHaveLength(1);
    // The merged run is judged once, where it is merged: not by each worker, not again by shard.
    expect(stderr.split('\n').filter((l) => l.includes('no request got an HTTP answer'))).toEqual([expect.stringMatching(/^warning: no request got an HTTP answer/)]);
    expect(stderr).not.toMatch(/warning: (worker \d|shard \d+\/2): /);
    expect(report.warnings.filter((w) => w.includes('no request got an HTTP answer'))).toEqual([expect.stringMatching(/^no request got an HTTP answer/)]);
  }, 30_000);
});
