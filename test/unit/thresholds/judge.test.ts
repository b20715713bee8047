/**
 * The judge (src/thresholds/judge/): the same snapshots and endings give the same thresholds,
 * verdict and exit code, whoever feeds them (a Run, the aggregator of workers, agents or collect).
 */
import { describe, expect, it } from 'vitest';
import { createJudge, gatedExitCode, type AbortRequest, type ExternalThresholds, type JudgeOptions } from '../../../src/thresholds/index.js';
import { METRIC } from '../../../src/metrics/catalogue.js';
import { plan, snapshotOf } from './helpers.js';

const latency = plan('http.latency', METRIC.httpLatency, {}, { fn: 'p', percentile: 95 }, '<', 100, { abortOnFail: true, source: 'p(95) < 100ms' });
const slow = snapshotOf((r) => {
  const t = r.trend(METRIC.httpLatency, {}, 'us');
  for (let i = 0; i < 10; i++) t.record(500_000);
  r.counter(METRIC.httpRequests, { status: '200' }, 'count').add(10);
});
const fast = snapshotOf((r) => {
  const t = r.trend(METRIC.httpLatency, {}, 'us');
  for (let i = 0; i < 10; i++) t.record(1_000);
  r.counter(METRIC.httpRequests, { status: '200' }, 'count').add(10);
});
const refused = snapshotOf((r) => r.counter(METRIC.httpRequests, { status: '0' }, 'count').add(5));

const judgeOf = (o: Partial<JudgeOptions> = {}, taken: string[] = []) =>
  createJudge({ plan: { target: 'http://127.0.0.1:1', thresholds: [latency] }, onAbort: (reason) => (taken.push(reason), true), ...o });

describe('the judge', () => {
  it('passes a run whose thresholds pass: exit 0', async () => {
    const j = judgeOf();
    j.start(0);
    const end = await j.final({ cumulative: fast, startMs: 0, endMs: 10_000 });
    expect(end).toMatchObject({ verdict: 'passed', exitCode: 0, warnings: [] });
    expect(end.thresholds.map((t) => t.passed)).toEqual([true]);
  });

  it('stops the run once on a failing abortOnFail threshold, marks it, and fails the run (exit 1)', async () => {
    const taken: string[] = [];
    const j = judgeOf({}, taken);
    j.start(0);
    expect(j.live(slow, 1000)[0]).toMatchObject({ passed: false, aborted: true });
    j.live(slow, 2000);
    expect(taken).toEqual(['threshold http.latency: p(95) < 100ms failed (http.latency: p(95) = 500ms, expected < 100ms)']);
    const end = await j.final({ cumulative: slow, startMs: 0, endMs: 2000, stopped: { reason: taken[0], by: taken[0] } });
    expect(end).toMatchObject({ verdict: 'failed', exitCode: 1, abortReason: taken[0] });
    expect(end.thresholds[0]).toMatchObject({ passed: false, aborted: true });
  });

  it('takes no abort the run refuses (already stopping) nor one of a final tick', async () => {
    const j = judgeOf({ onAbort: () => false });
    j.start(0);
    j.live(slow, 1000);
    expect(j.thresholdAbort).toBeUndefined();
    const k = judgeOf();
    k.start(0);
    k.live(slow, 1000, true);
    expect(k.thresholdAbort).toBeUndefined();
    const end = await j.final({ cumulative: slow, startMs: 0, endMs: 1000, stopped: { reason: 'interrupted by SIGINT', by: 'SIGINT' } });
    expect(end).toMatchObject({ verdict: 'aborted', exitCode: 130, abortReason: 'interrupted by SIGINT' });
    expect(end.thresholds[0]?.aborted).toBeUndefined();
  });

  it('fails a run that reached nothing, whatever its thresholds, and says why once', async () => {
    const j = createJudge({ plan: { target: 'http://127.0.0.1:1', thresholds: [] }, onAbort: () => true });
    const end = await j.final({ cumulative: refused, startMs: 0, endMs: 1000 });
    expect(end.verdict).toBe('failed');
    expect(end.warnings).toHaveLength(1);
    expect(end.warnings[0]).toContain('no request got an HTTP answer');
  });

  it('as a shard: judges neither thresholds nor failure bounds, only how the shard ended', async () => {
    const j = judgeOf({ judges: false });
    j.start(0);
    expect(j.live(slow, 1000)).toEqual([]);
    expect(await j.final({ cumulative: refused, startMs: 0, endMs: 1000 })).toEqual({ thresholds: [], verdict: 'passed', exitCode: 0, warnings: [] });
    expect(await j.final({ cumulative: refused, startMs: 0, endMs: 1000, stopped: { by: 'memory' } })).toMatchObject({ verdict: 'aborted', exitCode: 3 });
  });

  it('a merged run that lost a shard is aborted with exit 4, whatever else', async () => {
    const end = await judgeOf().final({ cumulative: fast, startMs: 0, endMs: 1000, lost: 'lost shard 1/2' });
    expect(end).toMatchObject({ verdict: 'aborted', exitCode: 4, abortReason: 'lost shard 1/2' });
  });

  it('adds the external thresholds at the end, and lets them stop the run live', async () => {
    let stop: ((a: AbortRequest) => void) | undefined;
    const ext: ExternalThresholds = {
      start: (_at, onAbort) => void (stop = onAbort),
      stop: async () => undefined,
      final: async () => [{ key: 'up', metric: 'prometheus', filter: {}, expression: 'value == 1', passed: false, observed: 0, abortOnFail: true }],
    };
    const taken: string[] = [];
    const j = judgeOf({ external: ext }, taken);
    j.start(0);
    stop?.({ key: 'up', expression: 'value == 1', message: 'down' });
    expect(taken).toEqual(['threshold up: value == 1 failed (down)']);
    const end = await j.final({ cumulative: fast, startMs: 0, endMs: 1000 });
    expect(end.thresholds.map((t) => [t.key, t.passed, t.aborted])).toEqual([
      ['http.latency', true, undefined],
      ['up', false, true],
    ]);
    expect(end).toMatchObject({ verdict: 'failed', exitCode: 1 });
  });

  it('gates the exit code on the report files and the baseline', () => {
    expect(gatedExitCode(0, {})).toBe(0);
    expect(gatedExitCode(0, { regressed: true })).toBe(1);
    expect(gatedExitCode(130, { regressed: true })).toBe(130);
    expect(gatedExitCode(0, { reportFailed: true, regressed: true })).toBe(3);
  });
});
