import { describe, expect, it } from 'vitest';
import { createLiveEvaluator } from '../../../src/thresholds/judge/live.js';
import { createRegistry } from '../../../src/metrics/registry.js';
import { plan } from './helpers.js';

describe('createLiveEvaluator', () => {
  function setup(delayAbortEvalMs: number) {
    let t = 1_000_000;
    const r = createRegistry({ now: () => t });
    const errors = r.rate('http.errors', {});
    const live = createLiveEvaluator(
      [
        plan('http.latency', 'http.latency', {}, { fn: 'p', percentile: 95 }, '<', 250, { abortOnFail: true, delayAbortEvalMs }),
        plan('http.errors', 'http.errors', {}, { fn: 'rate' }, '<', 0.01, { abortOnFail: true, delayAbortEvalMs, source: 'rate < 1%' }),
        plan('checks', 'checks', {}, { fn: 'rate' }, '>', 0.9),
      ],
      { startMs: t },
    );
    const tick = (ms: number) => {
      t += ms;
      r.takeInterval();
      return live.update(r.cumulative(), t);
    };
    return { r, errors, tick };
  }

  it('does not abort before delayAbortEval has elapsed, then aborts on the failing threshold', () => {
    const { r, errors, tick } = setup(5000);
    try {
      errors.add(true);
      for (let s = 1; s < 5; s++) {
        const u = tick(1000);
        expect(u.abort).toBeUndefined();
        expect(u.results[1]?.passed).toBe(false);
      }
      const u = tick(1000); // 5 s since start
      expect(u.abort).toEqual({ key: 'http.errors', expression: 'rate < 1%', message: 'http.errors: rate = 100%, expected < 1%' });
      expect(u.results[1]?.aborted).toBe(true);
      expect(u.results[0]?.aborted).toBeUndefined();
      // The decision stands on later updates.
      errors.add(false);
      expect(tick(1000).abort?.key).toBe('http.errors');
    } finally {
      r.dispose();
    }
  });

  it('never aborts on "no samples", even after the delay', () => {
    const { r, tick } = setup(0);
    try {
      for (let s = 0; s < 3; s++) {
        const u = tick(1000);
        expect(u.abort).toBeUndefined();
        expect(u.results[0]).toMatchObject({ passed: false, observed: null, message: 'no samples for http.latency' });
      }
    } finally {
      r.dispose();
    }
  });

  it('does not abort for a failing threshold without abortOnFail, nor for passing ones', () => {
    const { r, errors, tick } = setup(0);
    try {
      r.rate('checks', {}).add(false);
      errors.add(false);
      r.trend('http.latency', {}).record(10_000);
      const u = tick(1000);
      expect(u.results.map((x) => x.passed)).toEqual([true, true, false]);
      expect(u.abort).toBeUndefined();
    } finally {
      r.dispose();
    }
  });
});
