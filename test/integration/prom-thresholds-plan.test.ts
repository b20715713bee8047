/**
 * The `prometheus:` block without a real Prometheus: validation (only `value` comparisons, no time
 * units, defaults), window substitution, how a query's series are judged, and the gate's live and
 * end-of-run evaluation against a stand-in of the query API.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { ScenarioError } from '../../src/errors.js';
import Fastify from 'fastify';
import { createPrometheusGate, judgePrometheus } from '../../src/thresholds/prometheus.js';
import { substituteWindow } from '../../src/thresholds/prometheus-query.js';
import type { PrometheusPlan, PrometheusThresholdPlan } from '../../src/scenario/plan.js';
import { parseThresholdExpression } from '../../src/thresholds/parse.js';
import { scenarioFile } from '../support/run-helpers.js';

const base = (prometheus: string): string => `
name: p
target: http://127.0.0.1:1
load: { phases: [{ duration: 1s, rate: 1 }] }
journeys: [{ name: j, steps: [{ get: / }] }]
prometheus:
${prometheus}
`;

async function problems(yaml: string): Promise<string[]> {
  const { file } = await scenarioFile(yaml);
  try {
    await loadScenario(file, { env: {} });
    return [];
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.problems.map((p) => `${p.code} ${p.message} @${p.loc.pointer}`);
  }
}

describe('the prometheus block', () => {
  it('normalizes into the plan with its defaults', async () => {
    const { file } = await scenarioFile(base(`  url: http://127.0.0.1:9090/\n  thresholds:\n    'max(up)': ["value == 1", { threshold: "value > 0", abortOnFail: true, delayAbortEval: 10s }]`));
    const plan = await loadScenario(file, { env: {} });
    expect(plan.prometheus).toMatchObject({ url: 'http://127.0.0.1:9090', timeoutMs: 5000, settleMs: 2000, intervalMs: 5000 });
    expect(plan.prometheus?.thresholds.map((t) => [t.query, t.expr.source, t.abortOnFail, t.delayAbortEvalMs])).toEqual([
      ['max(up)', 'value == 1', false, 0],
      ['max(up)', 'value > 0', true, 10_000],
    ]);
    expect(Object.isFrozen(plan.prometheus)).toBe(true);
  });

  it('refuses aggregations other than value, time units, bad URLs and unknown keys', async () => {
    expect(await problems(base(`  url: http://127.0.0.1:9090\n  thresholds:\n    'max(up)': ["p(95) < 2"]`))).toEqual([expect.stringMatching(/RAMPART_THRESHOLD a Prometheus threshold compares the query's value, not `p\(95\)` @\/prometheus\/thresholds\/max\(up\)/)]);
    expect(await problems(base(`  url: http://127.0.0.1:9090\n  thresholds:\n    'max(up)': ["value < 250ms"]`))).toEqual([expect.stringMatching(/a PromQL value has no time unit/)]);
    expect((await problems(base(`  url: ftp://x\n  thresholds:\n    'up': ["value > 0"]`))).join('\n')).toMatch(/\/prometheus\/url/);
    expect((await problems(base(`  url: http://x\n  tresholds: {}\n  thresholds:\n    'up': ["value > 0"]`))).join('\n')).toMatch(/RAMPART_UNKNOWN_KEY|tresholds/);
    expect((await problems(base(`  url: http://x\n  thresholds:\n    'up': ["value >"]`))).join('\n')).toMatch(/RAMPART_THRESHOLD/);
  });
});

describe('window and judgement', () => {
  it('substitutes $window, ${window} and $__range as whole seconds, rounded up, at least 1 s', () => {
    expect(substituteWindow('rate(x[$window]) + rate(y[${window}]) + increase(z[$__range])', 41_200)).toBe('rate(x[42s]) + rate(y[42s]) + increase(z[42s])');
    expect(substituteWindow('rate(x[$window])', 10)).toBe('rate(x[1s])');
    expect(substituteWindow('rate(x[$windows])', 5000)).toBe('rate(x[$windows])');
  });

  const t = (expr: string): PrometheusThresholdPlan => ({ query: 'q', expr: parseThresholdExpression(expr), abortOnFail: false, delayAbortEvalMs: 0, pos: { line: 1, col: 1 } as never });

  it('every series must pass; the worst passing value is reported', () => {
    expect(judgePrometheus(t('value < 10'), [{ labels: { a: '1' }, value: 3 }, { labels: { a: '2' }, value: 7 }])).toMatchObject({ passed: true, observed: 7, metric: 'prometheus', key: 'q' });
    const r = judgePrometheus(t('value < 10'), [{ labels: { a: '1' }, value: 3 }, { labels: { a: '2' }, value: 12 }]);
    expect(r).toMatchObject({ passed: false, observed: 12 });
    expect(r.message).toBe('1 of 2 series fail value < 10: {a="2"} = 12');
    expect(judgePrometheus(t('value > 1'), [{ labels: {}, value: 5 }, { labels: {}, value: 2 }])).toMatchObject({ passed: true, observed: 2 });
  });

  it('no data and NaN fail with a reason', () => {
    expect(judgePrometheus(t('value < 1'), [])).toMatchObject({ passed: false, observed: null, message: expect.stringMatching(/^no data: `q` returned no series/) });
    expect(judgePrometheus(t('value < 1'), [{ labels: {}, value: Number.NaN }])).toMatchObject({ passed: false, observed: null, message: expect.stringMatching(/NaN/) });
  });
});

describe('the gate against a stand-in Prometheus API', () => {
  /** Answers /api/v1/query with `value()` for every query; records the queries and their times. */
  async function fakePrometheus(value: () => string | undefined): Promise<{ url: string; seen: { query: string; time: number }[]; close(): Promise<void> }> {
    const app = Fastify();
    const seen: { query: string; time: number }[] = [];
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))));
    app.post<{ Body: { query: string; time: string } }>('/api/v1/query', async (req) => {
      seen.push({ query: req.body.query, time: Number(req.body.time) });
      const v = value();
      return { status: 'success', data: { resultType: 'vector', result: v === undefined ? [] : [{ metric: { job: 'x' }, value: [Number(req.body.time), v] }] } };
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    return { url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, seen, close: () => app.close() };
  }
  const plan = (url: string, t: Partial<PrometheusThresholdPlan>[]): PrometheusPlan => ({
    url,
    timeoutMs: 1000,
    settleMs: 0,
    intervalMs: 40,
    thresholds: t.map((x) => ({ query: 'q[$window]', expr: parseThresholdExpression('value < 10'), abortOnFail: true, delayAbortEvalMs: 0, pos: { line: 1, col: 1 } as never, ...x })),
  });

  it('live: no abort before delayAbortEval or without data; one abort once a value fails', async () => {
    let v: string | undefined;
    const p = await fakePrometheus(() => v);
    try {
      const gate = createPrometheusGate(plan(p.url, [{ delayAbortEvalMs: 150 }]));
      const aborts: string[] = [];
      const start = Date.now();
      v = '50';
      gate.start(start, (a) => aborts.push(`${Date.now() - start}:${a.message}`));
      await new Promise((r) => setTimeout(r, 100));
      expect(aborts).toEqual([]); // failing, but within the delay
      v = undefined;
      await new Promise((r) => setTimeout(r, 150));
      expect(aborts).toEqual([]); // past the delay, but no data
      v = '50';
      await new Promise((r) => setTimeout(r, 200));
      await gate.stop();
      expect(aborts).toHaveLength(1);
      expect(aborts[0]).toMatch(/^\d+:\{job="x"\} = 50$/);
      expect(Number(aborts[0]?.split(':')[0])).toBeGreaterThanOrEqual(150);
      // The live window grows with the run.
      expect(p.seen.every((s) => /^q\[\d+s\]$/.test(s.query))).toBe(true);
    } finally {
      await p.close();
    }
  });

  it('final: evaluated at end + settle over the whole window', async () => {
    const p = await fakePrometheus(() => '3');
    try {
      const waits: number[] = [];
      const gate = createPrometheusGate({ ...plan(p.url, [{ abortOnFail: false }]), settleMs: 2000 }, { sleep: async (ms) => void waits.push(ms) });
      const results = await gate.final(1_700_000_000_000, 1_700_000_041_200);
      expect(waits).toEqual([2000]);
      expect(p.seen).toEqual([{ query: 'q[44s]', time: 1_700_000_043.2 }]);
      expect(results).toEqual([{ key: 'q[$window]', metric: 'prometheus', filter: {}, expression: 'value < 10', abortOnFail: false, passed: true, observed: 3 }]);
    } finally {
      await p.close();
    }
  });
});
