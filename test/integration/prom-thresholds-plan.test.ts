/**
 * The `prometheus:` block without a Prometheus: validation (only `value` comparisons, no time
 * units, defaults), window substitution, and how a query's series are judged.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { ScenarioError } from '../../src/errors.js';
import { judgePrometheus } from '../../src/thresholds/prometheus.js';
import { substituteWindow } from '../../src/thresholds/prometheus-query.js';
import type { PrometheusThresholdPlan } from '../../src/scenario/plan.js';
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
