import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../src/metrics/index.js';
import type { IntervalUpdate, RunInfo } from '../../../src/report/model.js';
import { parseListen, prometheusOutput } from '../../../src/report/prometheus.js';
import { LATENCY_BUCKETS_SECONDS, labelsOf, metricFamilies, promName, type BucketCache } from '../../../src/report/prometheus-families.js';
import { UsageError } from '../../../src/errors.js';
import { sampleReport } from './fixture-report.js';
import { parseExposition } from './prom-text.js';

const info: RunInfo = { runId: 'r1', scenarioName: 'checkout', target: 'http://127.0.0.1:1', startedAt: 0, phases: [{ name: 'steady', durationMs: 10_000 }] };

/** One interval with 100 latency samples: 90 at 2 ms, 10 at 300 ms, on step `a"b\n`. */
function update(): IntervalUpdate {
  let now = 0;
  const reg = createRegistry({ now: () => now });
  const tags = { step: 'a"b\n', 'x-y': 'z' };
  const lat = reg.trend('http.latency', tags);
  for (let i = 0; i < 90; i++) lat.record(2000);
  for (let i = 0; i < 10; i++) lat.record(300_000);
  reg.counter('http.requests', tags).add(100);
  const errors = reg.rate('http.errors', tags);
  for (let i = 0; i < 100; i++) errors.add(i < 5);
  reg.gauge('vus', {}).set(7);
  reg.counter('data.sent', {}, 'bytes').add(2048);
  now = 1000;
  const interval = reg.takeInterval();
  const cumulative = reg.cumulative();
  reg.dispose();
  return {
    offsetMs: 1000,
    phase: 'steady',
    interval,
    cumulative,
    point: { t: 1, phase: 'steady', requests: 100, errors: 5, p50: 2, p95: 300, p99: 300, vus: 7, started: 100, dropped: 0 },
    thresholds: [{ key: 'http.errors', metric: 'http.errors', filter: {}, expression: 'rate < 1%', passed: false, observed: 0.05, abortOnFail: false }],
    targetRate: 100,
  };
}

describe('prometheus output', () => {
  it('exports time trends as histograms with the documented buckets, counters, rates and gauges', async () => {
    const out = prometheusOutput({});
    out.start?.(info);
    out.interval?.(update());
    const { samples, types } = parseExposition(await out.metrics());
    const labels = { step: 'a"b\n', x_y: 'z' };
    const bucket = (le: string): number | undefined => samples.find((s) => s.name === 'rampart_http_latency_seconds_bucket' && s.labels.le === le && s.labels.step === labels.step)?.value;
    expect(types.get('rampart_http_latency_seconds')).toBe('histogram');
    expect(samples.filter((s) => s.name === 'rampart_http_latency_seconds_bucket').map((s) => s.labels.le)).toEqual([...LATENCY_BUCKETS_SECONDS.map(String), '+Inf']);
    expect(bucket('0.001')).toBe(0);
    expect(bucket('0.0025')).toBe(90);
    expect(bucket('0.25')).toBe(90);
    expect(bucket('0.5')).toBe(100);
    expect(bucket('+Inf')).toBe(100);
    expect(samples.find((s) => s.name === 'rampart_http_latency_seconds_count')?.value).toBe(100);
    expect(samples.find((s) => s.name === 'rampart_http_latency_seconds_sum')?.value).toBeCloseTo(90 * 0.002 + 10 * 0.3, 6);
    const p99 = samples.find((s) => s.name === 'rampart_http_latency_current_p99_seconds');
    expect(p99?.value).toBeCloseTo(0.3, 2);
    expect(p99?.labels).toEqual(labels);
    expect(samples.find((s) => s.name === 'rampart_http_requests_total')?.value).toBe(100);
    expect(types.get('rampart_http_requests_total')).toBe('counter');
    expect(samples.find((s) => s.name === 'rampart_http_errors_true_total')?.value).toBe(5);
    expect(samples.find((s) => s.name === 'rampart_http_errors_samples_total')?.value).toBe(100);
    expect(samples.find((s) => s.name === 'rampart_vus')?.value).toBe(7);
    expect(samples.find((s) => s.name === 'rampart_data_sent_bytes_total')?.value).toBe(2048);
    expect(samples.find((s) => s.name === 'rampart_run_info')?.labels).toEqual({ run_id: 'r1', scenario: 'checkout', target: 'http://127.0.0.1:1' });
    expect(samples.find((s) => s.name === 'rampart_target_arrival_rate')?.value).toBe(100);
    expect(samples.find((s) => s.name === 'rampart_thresholds_failing')?.value).toBe(1);
    expect(samples.find((s) => s.name === 'rampart_run_finished')?.value).toBe(0);
    await out.end?.(sampleReport());
    const after = parseExposition(await out.metrics()).samples;
    expect(after.find((s) => s.name === 'rampart_run_finished')?.value).toBe(1);
    expect(after.find((s) => s.name === 'rampart_run_verdict')?.labels).toEqual({ verdict: 'failed' });
    await out.close();
  });

  it('says in HELP that the current percentiles are not aggregatable', async () => {
    const out = prometheusOutput({});
    out.interval?.(update());
    expect(await out.metrics()).toMatch(/# HELP rampart_http_latency_current_p95_seconds .*NOT aggregatable/);
  });

  it('serves /metrics over HTTP on a free port, 404 elsewhere', async () => {
    const out = prometheusOutput({ listen: { host: '127.0.0.1', port: 0 } });
    await out.open();
    out.interval?.(update());
    const res = await fetch(out.url ?? '');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(parseExposition(await res.text()).samples.some((s) => s.name === 'rampart_http_requests_total')).toBe(true);
    expect((await fetch((out.url ?? '').replace('/metrics', '/'))).status).toBe(404);
    await out.close();
    await expect(fetch(out.url ?? '')).rejects.toThrow();
  });

  it('a busy port is a usage error at open', async () => {
    const a = prometheusOutput({ listen: { host: '127.0.0.1', port: 0 } });
    await a.open();
    const port = Number(new URL(a.url ?? '').port);
    const b = prometheusOutput({ listen: { host: '127.0.0.1', port } });
    await expect(b.open()).rejects.toThrow(UsageError);
    await a.close();
  });

  it('a failing pushgateway warns once and never throws', async () => {
    const warnings: string[] = [];
    const out = prometheusOutput({ pushgateway: 'http://127.0.0.1:1', onWarning: (m) => warnings.push(m) });
    out.start?.(info);
    out.interval?.(update());
    await out.end?.(sampleReport());
    await out.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^pushgateway http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
  });
});

describe('metricFamilies', () => {
  it('reuses the bucket counts of an unchanged histogram and recomputes a changed one', () => {
    const u = update();
    const cache: BucketCache = new Map();
    const inf = (fams: ReturnType<typeof metricFamilies>): number | undefined =>
      fams.get('rampart_http_latency_seconds')?.samples.find((x) => x.labels.le === '0.25')?.value;
    expect(inf(metricFamilies(u.cumulative, u.interval, cache))).toBe(90);
    const [entry] = [...cache.values()];
    expect(inf(metricFamilies(u.cumulative, u.interval, cache))).toBe(90);
    expect([...cache.values()][0]).toBe(entry);
    // A different histogram under the same series key is decoded again.
    const reg = createRegistry();
    reg.trend('http.latency', { step: 'a"b\n', 'x-y': 'z' }).record(1000);
    const other = reg.cumulative();
    reg.dispose();
    expect(inf(metricFamilies(other, undefined, cache))).toBe(1);
  });
});

describe('parseListen and names', () => {
  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    [':9464', { host: '0.0.0.0', port: 9464 }],
    ['[::1]:0', { host: '::1', port: 0 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
  ])('%s', (spec, want) => expect(parseListen(spec)).toEqual(want));

  it.each(['9464', 'host:', 'a:b', ':70000', '::1:9'])('rejects %s', (spec) => expect(() => parseListen(spec)).toThrow(UsageError));

  it('sanitizes metric and label names', () => {
    expect(promName('http.latency')).toBe('http_latency');
    expect(promName('9lives-x')).toBe('_9lives_x');
    expect(labelsOf({ 'a.b': '1', a_b: '2', __x: '3', le: '4' }, ['le'])).toEqual({ a_b: '1', tag_a_b: '2', tag___x: '3', tag_le: '4' });
  });
});
