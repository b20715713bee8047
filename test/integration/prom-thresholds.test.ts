/**
 * Prometheus thresholds end to end: the mocks serve load from `rampart run`, a real Prometheus
 * scrapes them every second, and the scenario's PromQL thresholds gate the run — a passing one
 * exits 0, its negative twin exits 1 for the right reason, a query without data fails with a clear
 * message, an abortOnFail query stops the run early, and an unreachable Prometheus or a query it
 * rejects is an engine error (exit 3), never a pass.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMocks, type RunningMocks } from '../../mocks/server.js';
import { startPrometheus, type RunningPrometheus } from '../../mocks/topology/index.js';
import type { Report } from '../../src/report/model.js';
import { refusedUrl, runCli, scenarioFile, validateReport } from '../support/run-helpers.js';
import { dropKeys, topologyConfig } from './topology-support.js';

const config = topologyConfig({ services: ['catalog'], port: 0, catalog: { originLatencyMs: 1 } });
let mocks: RunningMocks;
let prom: RunningPrometheus;

beforeAll(async () => {
  mocks = await startMocks({ config, processMetrics: false });
  prom = await startPrometheus({ jobs: [{ job: 'catalog', targets: [`127.0.0.1:${mocks.port}`] }], scrapeIntervalMs: 1000 });
}, 300_000);

afterAll(async () => {
  await prom?.stop();
  await mocks?.close();
  await dropKeys(config.keyPrefix ?? 'none');
});

const REQUESTS = 'sum(increase(rampart_mocks_http_request_duration_seconds_count{route="/products/:id"}[$window]))';

function scenario(prometheus: string, duration = '3s'): string {
  return `
name: prom-gate
target: ${mocks.url}
load:
  phases: [{ duration: ${duration}, rate: 20 }]
journeys:
  - name: browse
    steps:
      - name: product
        get: /products/{{ random.int(1, 20) }}
        expect: { status: 200 }
thresholds:
  http.errors: ["rate < 1%"]
prometheus:
${prometheus}
`;
}

async function run(yaml: string, extra: readonly string[] = []): Promise<{ code: number; stderr: string; report: Report | undefined; ms: number }> {
  const { dir, file } = await scenarioFile(yaml);
  const out = join(dir, 'report.json');
  const t0 = Date.now();
  const r = await runCli(['run', file, '--out', out, '--quiet', ...extra], { cwd: dir });
  const report = await readFile(out, 'utf8').then((t) => JSON.parse(t) as Report, () => undefined);
  return { code: r.code, stderr: r.stderr, report, ms: Date.now() - t0 };
}

describe('Prometheus thresholds', () => {
  it('a threshold on the served request count passes, and its negative twin fails for the right reason', async () => {
    const pass = await run(scenario(`  url: ${prom.url}\n  settle: 2s\n  thresholds:\n    '${REQUESTS}': ["value > 30"]`));
    expect(pass.code, JSON.stringify(pass.report?.thresholds)).toBe(0);
    expect(validateReport(pass.report)).toEqual([]);
    const ok = pass.report?.thresholds.find((t) => t.metric === 'prometheus');
    expect(ok).toMatchObject({ key: REQUESTS, expression: 'value > 30', passed: true });
    // 3 s at 20/s: about 60 requests, as the server counted them.
    expect(ok?.observed).toBeGreaterThan(30);
    expect(ok?.observed).toBeLessThan(120);

    const twin = await run(scenario(`  url: ${prom.url}\n  settle: 2s\n  thresholds:\n    '${REQUESTS}': ["value < 30"]`));
    expect(twin.code).toBe(1);
    expect(twin.report?.verdict).toBe('failed');
    const bad = twin.report?.thresholds.find((t) => t.metric === 'prometheus');
    expect(bad).toMatchObject({ key: REQUESTS, expression: 'value < 30', passed: false });
    expect(bad?.observed).toBeGreaterThan(30);
    expect(bad?.message).toMatch(/the value = \d+/);
    // The client-side threshold still passed: the failure is the server-side one.
    expect(twin.report?.thresholds.find((t) => t.metric === 'http.errors')?.passed).toBe(true);
  }, 40_000);

  it('a query that returns no data fails with a clear message', async () => {
    const r = await run(scenario(`  url: ${prom.url}\n  settle: 0s\n  thresholds:\n    'sum(rampart_mocks_no_such_metric_total)': ["value < 1"]`, '1s'));
    expect(r.code).toBe(1);
    const t = r.report?.thresholds.find((x) => x.metric === 'prometheus');
    expect(t).toMatchObject({ passed: false, observed: null });
    expect(t?.message).toMatch(/^no data: `sum\(rampart_mocks_no_such_metric_total\)` returned no series/);
  });

  it('an abortOnFail query stops the run early (exit 1, marked aborted)', async () => {
    const r = await run(scenario(`  url: ${prom.url}\n  interval: 1s\n  settle: 0s\n  thresholds:\n    'sum(rampart_mocks_http_request_duration_seconds_count)':\n      - { threshold: "value < 1", abortOnFail: true }`, '30s'));
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(15_000);
    const t = r.report?.thresholds.find((x) => x.metric === 'prometheus');
    expect(t).toMatchObject({ passed: false, aborted: true });
    expect(r.report?.abortReason).toMatch(/^threshold sum\(rampart_mocks_http_request_duration_seconds_count\): value < 1 failed/);
  }, 30_000);

  it('Prometheus unreachable is an engine error (exit 3), not a pass', async () => {
    const url = await refusedUrl();
    const r = await run(scenario(`  url: ${url}\n  settle: 0s\n  thresholds:\n    'up': ["value == 1"]`, '1s'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Prometheus at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\).*\[RAMPART_PROMETHEUS\]/);
  });

  it('a query Prometheus rejects is an engine error naming the query', async () => {
    const r = await run(scenario(`  url: ${prom.url}\n  settle: 0s\n  thresholds:\n    'sum(rate(up[$window])': ["value > 0"]`, '1s'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Prometheus rejected the query `sum\(rate\(up\[\d+s\]\)`: bad_data/);
  });

  it('a run on 2 worker threads is judged on Prometheus too, where the workers are merged', async () => {
    const pass = await run(scenario(`  url: ${prom.url}\n  settle: 2s\n  thresholds:\n    '${REQUESTS}': ["value > 30"]`), ['--workers', '2']);
    expect(pass.code, pass.stderr + JSON.stringify(pass.report?.thresholds)).toBe(0);
    expect(pass.report?.environment.workers).toBe(2);
    expect(pass.report?.thresholds.find((t) => t.metric === 'prometheus')).toMatchObject({ key: REQUESTS, passed: true });
    const twin = await run(scenario(`  url: ${prom.url}\n  settle: 2s\n  thresholds:\n    '${REQUESTS}': ["value < 30"]`), ['--workers', '2']);
    expect(twin.code).toBe(1);
    const bad = twin.report?.thresholds.find((t) => t.metric === 'prometheus');
    expect(bad).toMatchObject({ key: REQUESTS, passed: false });
    expect(bad?.observed).toBeGreaterThan(30);
  }, 40_000);

  it('with workers, an abortOnFail query stops every worker, and Prometheus unreachable is exit 3', async () => {
    const r = await run(scenario(`  url: ${prom.url}\n  interval: 1s\n  settle: 0s\n  thresholds:\n    'sum(rampart_mocks_http_request_duration_seconds_count)':\n      - { threshold: "value < 1", abortOnFail: true }`, '30s'), ['--workers', '2']);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(15_000);
    expect(r.report?.thresholds.find((x) => x.metric === 'prometheus')).toMatchObject({ passed: false, aborted: true });
    const down = await run(scenario(`  url: ${await refusedUrl()}\n  settle: 0s\n  thresholds:\n    'up': ["value == 1"]`, '1s'), ['--workers', '2']);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/Prometheus at http:\/\/127\.0\.0\.1:\d+ is unreachable/);
  }, 40_000);
});
