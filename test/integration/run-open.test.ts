import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli, scenarioFile, startLatencyServer, validateReport, type LatencyServer } from '../support/run-helpers.js';

let server: LatencyServer;
beforeAll(async () => {
  server = await startLatencyServer(1);
});
afterAll(async () => {
  await server.close();
});

describe('rampart run (open model)', () => {
  it('passes its thresholds, prints the summary and writes a schema-valid report', async () => {
    const { dir, file } = await scenarioFile(`
name: open-pass
target: http://127.0.0.1:1
variables:
  apiKey: \${API_KEY}
secrets: [apiKey]
load:
  phases:
    - { name: warm, duration: 1s, rate: 10, rampTo: 30 }
    - { name: steady, duration: 1s, rate: 20 }
journeys:
  - name: browse
    steps:
      - name: work
        get: /work
        headers: { x-api-key: "{{ apiKey }}" }
        expect: { status: 200 }
thresholds:
  http.errors: ["rate < 1%"]
  "http.latency{step:work}": ["p(95) < 400ms"]
gracefulStop: 2s
`);
    const out = join(dir, 'reports', 'report.json');
    const r = await runCli(['run', file, '--target', server.url, '--out', out, '--env', 'API_KEY=very-secret-key', '--quiet'], { cwd: dir, env: {} });
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('verdict: PASSED');
    expect(r.stdout).toMatch(/work\s+40\s/);
    const text = await readFile(out, 'utf8');
    expect(text).not.toContain('very-secret-key');
    const report = JSON.parse(text) as Report;
    expect(validateReport(report)).toEqual([]);
    expect(report.verdict).toBe('passed');
    expect(report.exitCode).toBe(0);
    expect(report.scenario.target).toBe(server.url);
    expect(report.thresholds.map((t) => [t.metric, t.passed])).toEqual([
      ['http.errors', true],
      ['http.latency', true],
    ]);
    expect(report.journeys?.[0]).toMatchObject({ name: 'browse', started: 40, completed: 40, failed: 0, dropped: 0 });
    expect(report.phases.map((p) => p.name)).toEqual(['warm', 'steady']);
    expect(report.timeline.length).toBeGreaterThanOrEqual(2);
    expect(server.hits.get('/work')).toBeGreaterThanOrEqual(40);
  });

  it('fails with exit 1 when a threshold fails, and says which', async () => {
    const { dir, file } = await scenarioFile(`
name: open-fail
target: ${server.url}
load:
  phases: [{ duration: 1s, rate: 10 }]
journeys:
  - name: broken
    steps:
      - name: teapot
        get: /status/418
thresholds:
  http.errors: ["rate < 10%"]
`);
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--out', out], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('verdict: FAILED');
    expect(r.stdout).toMatch(/✗ FAIL\s+http\.errors: rate < 10%\s+observed 100%/);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    expect(report).toMatchObject({ verdict: 'failed', exitCode: 1 });
    expect(report.thresholds[0]).toMatchObject({ passed: false, observed: 1 });
  });
});
