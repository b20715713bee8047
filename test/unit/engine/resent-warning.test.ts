import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry, type MetricsRegistry } from '../../../src/metrics/registry.js';
import { resentWarning } from '../../../src/engine/run-report.js';

let reg: MetricsRegistry | undefined;
afterEach(() => reg?.dispose());

/** A snapshot of `requests` requests over two steps, `resent` of them written again. */
function snapshot(requests: number, resent: number) {
  reg = createRegistry();
  for (const step of ['list', 'item']) {
    const tags = { step, phase: 'steady' };
    reg.counter('http.requests', { ...tags, status: '200' }).add(requests / 2);
    if (resent > 0) reg.counter('http.resent', tags).add(resent / 2);
  }
  return reg.cumulative();
}

describe('the warning about requests written again on a new connection', () => {
  it('names the count, the share and what to change on the server', () => {
    const w = resentWarning(snapshot(1000, 20));
    expect(w).toMatch(/^20 requests \(2\.0 % of 1000\) had to be written again on a new connection/);
    expect(w).toMatch(/http\.resent/);
    expect(w).toMatch(/sooner than rampart keeps them \(4 s,/);
    expect(w).toMatch(/Keep-Alive: timeout/);
  });

  it('stays quiet under 1 % of the requests, and without any', () => {
    expect(resentWarning(snapshot(1000, 8))).toBeUndefined();
    expect(resentWarning(snapshot(1000, 0))).toBeUndefined();
    expect(resentWarning(snapshot(1000, 10))).toBeDefined();
  });
});
