import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry, type MetricsRegistry } from '../../../src/metrics/registry.js';
import { connectionWait } from '../../../src/engine/run-report.js';

let reg: MetricsRegistry | undefined;
afterEach(() => reg?.dispose());

/** A snapshot with `n` requests waiting `blockedMs` for a connection and answered in `latencyMs`. */
function snapshot(n: number, blockedMs: number, latencyMs: number) {
  reg = createRegistry();
  const tags = { step: 'get', phase: 'steady', status: '200' };
  const blocked = reg.trend('http.blocked', tags);
  const latency = reg.trend('http.latency', tags);
  for (let i = 0; i < n; i++) {
    blocked.record(blockedMs * 1000);
    latency.record(latencyMs * 1000);
  }
  return reg.cumulative();
}

describe('the warning about requests waiting for a connection', () => {
  it('names the wait when it is longer than the answers', () => {
    const w = connectionWait(snapshot(200, 40, 2));
    expect(w).toMatch(/http\.blocked p95 40\.\d ms, http\.latency p95 2\.\d ms/);
    expect(w).toMatch(/raise http\.connections/);
  });

  it('stays silent for a short wait, or one shorter than the service', () => {
    expect(connectionWait(snapshot(200, 3, 1))).toBeUndefined();
    expect(connectionWait(snapshot(200, 40, 120))).toBeUndefined();
  });

  it('stays silent without requests', () => {
    reg = createRegistry();
    expect(connectionWait(reg.cumulative())).toBeUndefined();
  });
});
