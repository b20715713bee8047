import { describe, expect, it } from 'vitest';
import { judgeFailures } from '../../../src/thresholds/judge/failure-bounds.js';
import type { MetricsSnapshot } from '../../../src/metrics/types.js';
import { METRIC } from '../../../src/metrics/catalogue.js';
import { errorsByClass } from '../../../src/engine/timeline.js';
import { protocolParts } from '../../../src/report/live-output.js';
import type { IntervalUpdate } from '../../../src/report/model.js';
import { plan, snapshotOf } from './helpers.js';

/** `ok` good kafka consumes and `failed` of each class, plus the same for redis. */
function run(ok: number, failed: Record<string, number>, metric: string = METRIC.kafkaErrors, latency: string = METRIC.kafkaLatency): MetricsSnapshot {
  return snapshotOf((r) => {
    const good = r.rate(metric, { step: 's' });
    for (let i = 0; i < ok; i++) {
      good.add(false);
      r.trend(latency, { step: 's' }, 'us').record(2000);
    }
    for (const [cls, n] of Object.entries(failed)) {
      const bad = r.rate(metric, { step: 's', error: cls });
      for (let i = 0; i < n; i++) bad.add(true);
    }
  });
}

const judge = (snap: MetricsSnapshot, thresholds = [] as ReturnType<typeof plan>[]) => judgeFailures({ target: 'http://t', thresholds }, snap);

describe('kafka and redis failures count like HTTP ones', () => {
  it('a protocol whose operations fail past maxFailures.errors fails the run, naming the classes and the threshold', () => {
    const j = judge(run(5, { timeout: 4, 'not-found': 1 }));
    expect(j.failed).toBe(true);
    expect(j.warnings).toEqual([expect.stringMatching(/^5 of 10 kafka operations failed \(timeout 4, not-found 1; 50%\).*kafka\.errors: \["rate <= 50%"\]/)]);
    expect(judge(run(95, { refused: 5 }, METRIC.redisErrors, METRIC.redisLatency)).failed).toBe(false);
    expect(judge(run(5, { refused: 5 }, METRIC.redisErrors, METRIC.redisLatency)).warnings[0]).toMatch(/^5 of 10 redis operations failed \(refused 5/);
  });

  it('a threshold on the errors rate replaces the bound', () => {
    expect(judge(run(0, { timeout: 10 }), [plan('kafka.errors', METRIC.kafkaErrors, {}, { fn: 'rate' }, '<=', 1)])).toEqual({ failed: false, warnings: [] });
  });

  it('the timeline counts their failures by class, and the live line shows each protocol busy in the interval', () => {
    const snap = run(3, { timeout: 1 });
    expect(errorsByClass(snap)).toEqual({ timeout: 1 });
    const u = { interval: snap } as unknown as IntervalUpdate;
    expect(protocolParts(u)).toBe(' | kafka 0.4/s p95 2.0ms errors 25%');
  });
});
