/** A plausible Report for the renderer tests, and a hostile one whose names try to break out. */
import type { Report } from '../../../src/report/model.js';

/** A failed open-model run: two steps, a failing latency threshold, a check, a 5-second timeline. */
export function sampleReport(over: Partial<Report> = {}): Report {
  const timeline = [1, 2, 3, 4, 5].map((t) => ({
    t,
    phase: t <= 2 ? 'warm-up' : 'steady',
    requests: 10 * t,
    errors: t === 4 ? 2 : 0,
    ...(t === 4 ? { errorsByClass: { refused: 1, '5xx': 1 } } : {}),
    p50: 3 + t,
    p95: 10 + t,
    p99: 20 + t,
    vus: t,
    planned: 10 * t,
    started: 10 * t,
    dropped: 0,
    lagMaxMs: t === 1 ? 42 : 1.5,
    gcMs: t === 1 ? 12 : 0.5,
  }));
  return {
    schemaVersion: 1,
    rampart: { version: '0.1.0' },
    runId: 'run-1',
    scenario: { name: 'checkout', file: 'scenario.yaml', hash: 'abc', target: 'http://127.0.0.1:8080', model: 'open', text: 'name: checkout\n' },
    verdict: 'failed',
    exitCode: 1,
    startedAt: '2026-11-23T14:00:00.000Z',
    endedAt: '2026-11-23T14:00:05.000Z',
    durationMs: 5000,
    environment: { node: 'v20.20.0', platform: 'linux', host: 'ci-1', cpus: 2 },
    phases: [
      { name: 'warm-up', startOffsetMs: 0, endOffsetMs: 2000 },
      { name: 'steady', startOffsetMs: 2000, endOffsetMs: 5000 },
    ],
    thresholds: [
      { key: 'http.latency{step:product}', metric: 'http.latency', filter: { step: 'product' }, expression: 'p(95) < 10ms', passed: false, observed: 14.2, abortOnFail: false },
      { key: 'http.errors', metric: 'http.errors', filter: {}, expression: 'rate < 1%', passed: true, observed: 0.004, abortOnFail: false },
      { key: 'checks{check:cache_hit}', metric: 'checks', filter: { check: 'cache_hit' }, expression: 'rate > 0.9', passed: false, observed: 0.8, abortOnFail: false },
    ],
    series: [
      { metric: 'http.latency', type: 'trend', unit: 'us', tags: { step: 'product' }, count: 150, rate: 30, sum: 1500, avg: 10, min: 1, max: 40, p50: 8, p90: 12, p95: 14.2, p99: 30 },
      { metric: 'http.errors', type: 'rate', unit: 'count', tags: {}, count: 150, rate: 0.004, sum: 2, avg: 0.004, min: 0, max: 1, p50: 0, p90: 0, p95: 0, p99: 0 },
      { metric: 'http.requests', type: 'counter', unit: 'count', tags: { step: 'product' }, count: 150, rate: 30, sum: 150, avg: 1, min: 1, max: 1, p50: 0, p90: 0, p95: 0, p99: 0 },
    ],
    timeline,
    journeys: [
      {
        name: 'browse',
        started: 150,
        completed: 148,
        failed: 2,
        interrupted: 0,
        dropped: 0,
        duration: { count: 148, p50: 20, p90: 30, p95: 35, p99: 50, max: 60 },
        steps: [
          { name: 'product', requests: 150, rps: 30, errorRate: 0.0133, p50: 8, p90: 12, p95: 14.2, p99: 30, max: 40 },
          { name: 'order', requests: 148, rps: 29.6, errorRate: 0, p50: 5, p90: 7, p95: 8, p99: 9, max: 11 },
        ],
      },
    ],
    checks: [
      { name: 'cache_hit', passes: 120, fails: 30, rate: 0.8 },
      { name: 'status is 200', passes: 150, fails: 0, rate: 1 },
    ],
    generator: { lateArrivals: 0, droppedArrivals: 0, eventLoopLagP99Ms: 1.2, eventLoopLagMaxMs: 3, overloaded: false },
    warnings: ['a warning'],
    ...over,
  };
}

/** Names that try to end a script block, run script, break XML/Markdown, and carry odd Unicode. */
export const HOSTILE = {
  script: '</script><script>window.pwned=1</script>',
  img: '<img src=x onerror="window.pwned=2;alert(1)">',
  xml: 'a<b & c="d" \'e\' ]]> \u0001\u0007\u001b \uD800 end',
  unicode: 'ﬁ ‮evil‭ 🚀 \u2028 \u2029 zero\u200Bwidth',
  md: '| pipe | `tick` **bold** [link](http://evil.example) <b>x</b>\nnewline',
} as const;

/** The sample report with every user-controlled string replaced by hostile ones. */
export function hostileReport(): Report {
  const r = sampleReport();
  const names = Object.values(HOSTILE);
  const n = (i: number): string => names[i % names.length] ?? 'x';
  return {
    ...r,
    scenario: { ...r.scenario, name: n(0), target: n(1), text: `${n(0)}\n${n(1)}\n${n(2)}`, description: n(3) },
    abortReason: n(1),
    phases: r.phases.map((p, i) => ({ ...p, name: n(i) })),
    timeline: r.timeline.map((p, i) => ({ ...p, phase: n(i) })),
    thresholds: r.thresholds.map((t, i) => ({ ...t, key: `http.latency{step:${n(i)}}`, filter: { step: n(i) }, expression: t.expression, message: n(i + 1) })),
    series: r.series.map((s, i) => ({ ...s, tags: { step: n(i) } })),
    journeys: (r.journeys ?? []).map((j) => ({ ...j, name: n(4), steps: j.steps.map((s, i) => ({ ...s, name: n(i) })) })),
    checks: (r.checks ?? []).map((c, i) => ({ ...c, name: n(i + 2) })),
    warnings: names,
    environment: { ...r.environment, host: n(1) },
  };
}
