import { describe, expect, it } from 'vitest';
import {
  achievedRate,
  byPlan,
  coefficientOfVariation,
  cpuTicksFromStat,
  mean,
  median,
  ratio,
  statusKb,
  stddev,
  windowFigures,
  withinPlan,
} from '../../../bench/lib/stats.js';
import { parseUndiciLoop, wrkPercentile } from '../../../bench/lib/generators.js';
import { table } from '../../../bench/lib/format.js';

describe('bench arithmetic', () => {
  it('splits open rounds into those that kept up with the plan and those that fell behind', () => {
    // 10 windows of 100 ms: 1,000 a window is 10,000/s.
    const full = { name: 'kept', windows: Array(10).fill(1000) as number[] };
    const edge = { name: 'edge', windows: [...(Array(9).fill(1000) as number[]), 900] }; // 9,900/s: 99 %
    const slow = { name: 'behind', windows: Array(10).fill(650) as number[] };
    const empty = { name: 'none', windows: [] as number[] };
    const { kept, behind } = byPlan([full, slow, edge, empty], 10_000);
    expect(kept.map((r) => r.name)).toEqual(['kept', 'edge']);
    expect(behind.map((r) => r.name)).toEqual(['behind', 'none']);
  });

  it('computes the coefficient of variation of per-window counts', () => {
    expect(coefficientOfVariation([500, 500, 500, 500])).toBe(0);
    // mean 500, population stddev 100
    expect(coefficientOfVariation([400, 600, 400, 600])).toBeCloseTo(0.2, 10);
    // a bursty pacer: everything in one window of ten
    expect(coefficientOfVariation([5000, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toBeCloseTo(3, 10);
    expect(coefficientOfVariation([])).toBeNaN();
    expect(coefficientOfVariation([0, 0])).toBeNaN();
  });

  it('has mean, stddev and median that ignore nothing but non-finite medians', () => {
    expect(mean([1, 2, 3])).toBe(2);
    expect(stddev([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([NaN, 5, 1])).toBe(3);
    expect(median([])).toBeNaN();
  });

  it('turns a window into requests/s, CPU per request and CPU share', () => {
    const f = windowFigures({ requests: 20_000, elapsedMs: 2_000, cpuUs: 500_000 });
    expect(f.rps).toBe(10_000);
    expect(f.cpuPerRequestUs).toBe(25);
    expect(f.cpuShare).toBe(0.25);
    expect(windowFigures({ requests: 0, elapsedMs: 1000, cpuUs: 10 }).cpuPerRequestUs).toBeNaN();
  });

  it('scales 100 ms counts to an achieved rate and checks it against the plan', () => {
    expect(achievedRate([500, 490, 510, 500])).toBe(5000);
    expect(withinPlan(4951, 5000)).toBe(true);
    expect(withinPlan(4949, 5000)).toBe(false);
    expect(withinPlan(5049, 5000)).toBe(true);
    expect(withinPlan(NaN, 5000)).toBe(false);
  });

  it('divides only finite numbers by non-zero ones', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(NaN, 2)).toBeNaN();
  });

  it('reads utime + stime from /proc/<pid>/stat, even with spaces in the command name', () => {
    const stat = '4242 (node my app) S 1 4242 4242 0 -1 4194560 9000 0 0 0 1234 567 0 0 20 0 11 0 100 1000000 5000 18446744073709551615';
    expect(cpuTicksFromStat(stat)).toBe(1234 + 567);
    expect(() => cpuTicksFromStat('garbage')).toThrow();
  });

  it('reads kB fields of /proc/<pid>/status as bytes', () => {
    const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n';
    expect(statusKb(status, 'VmHWM')).toBe(204_800 * 1024);
    expect(statusKb(status, 'VmRSS')).toBe(102_400 * 1024);
    expect(statusKb(status, 'VmSwap')).toBeNaN();
  });

  it("parses wrk's latency distribution in ms", () => {
    const out = '  Latency Distribution\n     50%  612.00us\n     75%    1.02ms\n     90%    2.50ms\n     99%    1.20s\n';
    expect(wrkPercentile(out, '50%')).toBeCloseTo(0.612, 10);
    expect(wrkPercentile(out, '99%')).toBe(1200);
    expect(wrkPercentile(out, '95%')).toBeNaN();
  });

  it("reads the bare undici loop's figures: latency in its open model, the event loop's delay with VUs", () => {
    expect(parseUndiciLoop('{"requests":300,"p50Ms":0.2,"p99Ms":1.5,"secondP99Ms":[2.5,null,1]}\n')).toEqual({ p50Ms: 0.2, p99Ms: 1.5, secondP99Ms: [2.5, NaN, 1] });
    const closed = parseUndiciLoop('{"requests":1000}\n');
    expect(closed.p50Ms).toBeNaN();
    expect(closed.p99Ms).toBeNaN();
    expect(closed.secondP99Ms).toBeUndefined();
    expect(closed.lag).toBeUndefined();
    expect(parseUndiciLoop('{"requests":1000,"lagP99Ms":31.5,"lagMaxMs":80}').lag).toEqual({ p99Ms: 31.5, maxMs: 80 });
    expect(parseUndiciLoop('crashed').p99Ms).toBeNaN();
  });

    it('prints aligned Markdown tables', () => {
    expect(table(['a', 'bb'], [['x', '1'], ['yyy', '22']])).toBe('| a   | bb |\n|-----|---:|\n| x   |  1 |\n| yyy | 22 |');
  });
});
