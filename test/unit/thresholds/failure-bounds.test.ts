import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judgeFailures } from '../../../src/thresholds/judge/failure-bounds.js';
import { DEFAULT_FAILURE_BOUNDS, type FailureBounds, type ThresholdPlan } from '../../../src/scenario/plan.js';
import type { MetricsSnapshot } from '../../../src/metrics/types.js';
import { METRIC } from '../../../src/metrics/catalogue.js';
import type { MetricsRegistry } from '../../../src/metrics/registry.js';
import { plan, snapshotOf } from './helpers.js';

/** `ok` answered requests and journeys, `failed` of each class (requests with a status, journeys failed). */
function run(ok: number, failed: Record<string, number>, journeysFailed = Object.values(failed).reduce((a, b) => a + b, 0)): MetricsSnapshot {
  return snapshotOf((r: MetricsRegistry) => {
    const done = (status: string, cls: string | undefined, n: number): void => {
      const tags: Record<string, string> = cls === undefined ? { step: 's', status } : { step: 's', status, error: cls };
      r.counter(METRIC.httpRequests, tags, 'count').add(n);
      const e = r.rate(METRIC.httpErrors, tags);
      for (let i = 0; i < n; i++) e.add(cls !== undefined);
    };
    done('200', undefined, ok);
    for (const [cls, n] of Object.entries(failed)) done(cls === 'refused' ? '0' : '200', cls, n);
    r.counter(METRIC.journeysCompleted, { journey: 'j' }, 'count').add(ok);
    r.counter(METRIC.journeysFailed, { journey: 'j' }, 'count').add(journeysFailed);
  });
}

const judge = (snap: MetricsSnapshot, thresholds: ThresholdPlan[] = [], maxFailures?: FailureBounds) =>
  judgeFailures({ target: 'http://t', thresholds, ...(maxFailures !== undefined ? { maxFailures } : {}) }, snap);

describe('failures no threshold judges', () => {
  it('passes a healthy run with a few failures under the default bounds', () => {
    expect(judge(run(95, { reset: 3, expectation: 2 }))).toEqual({ failed: false, warnings: [] });
    expect(judge(run(0, {}))).toEqual({ failed: false, warnings: [] });
  });

  it('fails a run where one class fails everything, naming the class and the threshold that would accept it', () => {
    for (const cls of ['5xx', 'expectation', 'capture', 'timeout', 'reset', 'protocol']) {
      const j = judge(run(0, { [cls]: 30 }));
      expect(j.failed).toBe(true);
      expect(j.warnings).toHaveLength(2);
      expect(j.warnings[0]).toMatch(new RegExp(`30 of 30 journey iterations failed \\(100%; http.errors by class: ${cls} 30\\).*journeys\\.failed`));
      expect(j.warnings[1]).toMatch(new RegExp(`30 of 30 requests failed \\(${cls} 30\\) \\(100%\\).*http.errors: \\["rate <= 100%"\\]`));
    }
  });

  it('fails on the share of all classes together, and on failed journeys alone', () => {
    expect(judge(run(88, { reset: 6, timeout: 6 })).failed).toBe(true);
    const onlyJourneys = judge(run(100, {}, 20));
    expect(onlyJourneys.failed).toBe(true);
    expect(onlyJourneys.warnings.join()).toMatch(/20 of 120 journey iterations failed \(16.7%\)/);
  });

  it('keeps failing a run that reached nothing, whatever its thresholds', () => {
    const j = judge(run(0, { refused: 5 }), [plan('http.errors', 'http.errors', {}, { fn: 'rate' }, '<=', 1), plan('journeys.failed', 'journeys.failed', {}, { fn: 'count' }, '<', 100)]);
    expect(j).toEqual({ failed: true, warnings: [expect.stringMatching(/no request got an HTTP answer from http:\/\/t \(5 sent, none answered: refused 5\)/)] });
  });

  it('names the classes that kept every request from an answer, not a fixed list', () => {
    const snap = snapshotOf((r: MetricsRegistry) => {
      for (const [cls, n] of [['protocol', 3], ['timeout', 1]] as const) {
        const tags = { step: 's', status: '0', error: cls };
        r.counter(METRIC.httpRequests, tags, 'count').add(n);
        const e = r.rate(METRIC.httpErrors, tags);
        for (let i = 0; i < n; i++) e.add(true);
      }
    });
    expect(judge(snap).warnings[0]).toBe('no request got an HTTP answer from http://t (4 sent, none answered: protocol 3, timeout 1): a run that reached nothing cannot pass');
  });

  it('leaves a metric to a threshold on it (any tag filter), and to maxFailures', () => {
    const snap = run(0, { expectation: 10 });
    const onErrors = plan('http.errors{step:s}', 'http.errors', { step: 's' }, { fn: 'rate' }, '<', 0.01);
    const onJourneys = plan('journeys.failed', 'journeys.failed', {}, { fn: 'count' }, '==', 0);
    expect(judge(snap, [onErrors]).warnings).toEqual([expect.stringMatching(/journey iterations failed/)]);
    expect(judge(snap, [onJourneys]).warnings).toEqual([expect.stringMatching(/requests failed/)]);
    expect(judge(snap, [onErrors, onJourneys])).toEqual({ failed: false, warnings: [] });
    expect(judge(snap, [], { journeys: 1, errors: 1 })).toEqual({ failed: false, warnings: [] });
    expect(judge(run(80, { reset: 20 }), [], { journeys: 0.25, errors: 0.25 }).failed).toBe(false);
  });

  it('leaves out the requests rampart cut itself', () => {
    expect(judge(run(10, { aborted: 10 }, 0))).toEqual({ failed: false, warnings: [] });
  });

  it('defaults to the schema defaults', () => {
    const schema = JSON.parse(readFileSync(new URL('../../../schemas/scenario.schema.json', import.meta.url), 'utf8')) as {
      properties: { maxFailures: { properties: Record<'journeys' | 'errors', { default: string }> } };
    };
    const d = schema.properties.maxFailures.properties;
    expect({ journeys: parseFloat(d.journeys.default) / 100, errors: parseFloat(d.errors.default) / 100 }).toEqual(DEFAULT_FAILURE_BOUNDS);
  });
});
