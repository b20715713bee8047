import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry, type MetricsRegistry } from '../../../src/metrics/registry.js';
import { connectionWait } from '../../../src/engine/run-report.js';

let reg: MetricsRegistry | undefined;
afterEach(() => reg?.dispose());

/**
 * A snapshot with `n` requests waiting `blockedMs` for a connection and answered in `latencyMs`; the
 * first `opened` of them opened their connection, which took `connectMs`.
 */
function snapshot(n: number, blockedMs: number, latencyMs: number, opened = 0, connectMs = 0) {
  reg = createRegistry();
  const tags = { step: 'get', phase: 'steady', status: '200' };
  const blocked = reg.trend('http.blocked', tags);
  const latency = reg.trend('http.latency', tags);
  const connect = reg.trend('http.connect', tags);
  for (let i = 0; i < n; i++) {
    blocked.record(blockedMs * 1000);
    latency.record(latencyMs * 1000);
    if (i < opened) connect.record(connectMs * 1000);
  }
  return reg.cumulative();
}

describe('the warning about requests waiting for a connection', () => {
  it('names the wait when it is longer than the answers', () => {
    const w = connectionWait(snapshot(200, 40, 2));
    expect(w).toMatch(/http\.blocked p95 40\.\d ms, http\.latency p95 2\.\d ms/);
    expect(w).toMatch(/raise http\.connections/);
  });

  it('says the wait was opening connections when enough requests opened one and that took most of it', () => {
    // Every request on a new TLS connection (connectionPolicy per-vu, or keepAlive false): not a queue.
    const w = connectionWait(snapshot(200, 40, 12, 200, 38));
    expect(w).toMatch(/much of it opening one: 200 requests of 200 opened a connection \(http\.connect p95 38\.\d ms\)/);
    expect(w).toMatch(/http\.blocked p95 40\.\d ms, http\.latency p95 12\.\d ms/);
    expect(w).not.toMatch(/raise http\.connections,|every http\.connections was busy/);
    // A run's first connection, cold: one request of three (33 %) is enough to be its p95.
    expect(connectionWait(snapshot(3, 15, 2, 1, 12))).toMatch(/1 request of 3 opened a connection/);
  });

  it('blames a full pool when few requests opened a connection, or opening was quick', () => {
    // 4 of 200 (2 %) opened one: the p95 is a queue's.
    expect(connectionWait(snapshot(200, 40, 2, 4, 39))).toMatch(/every http\.connections was busy/);
    // Everyone opened one, in 1 ms: the 40 ms went elsewhere.
    expect(connectionWait(snapshot(200, 40, 2, 200, 1))).toMatch(/raise http\.connections/);
  });

  it('stays silent for a short wait, or one shorter than the service', () => {
    expect(connectionWait(snapshot(200, 3, 1))).toBeUndefined();
    expect(connectionWait(snapshot(200, 40, 120))).toBeUndefined();
  });

  it('stays silent when, in a run of a few requests, only the first waited', () => {
    // warmUp: false, 3 requests: the first waited 12 ms (its connection and cold code), the others
    // none. Its p95 is that one request; the median says no queue.
    reg = createRegistry();
    const tags = { step: 'get', phase: 'steady', status: '200' };
    const blocked = reg.trend('http.blocked', tags);
    const latency = reg.trend('http.latency', tags);
    for (const ms of [12, 0.1, 0.1]) blocked.record(ms * 1000);
    for (const ms of [7, 1, 1]) latency.record(ms * 1000);
    reg.trend('http.connect', tags).record(1_000);
    expect(connectionWait(reg.cumulative())).toBeUndefined();
    // 40 requests through one busy connection: most of them waited, so the warning stands.
    expect(connectionWait(snapshot(40, 30, 3))).toMatch(/every http\.connections was busy/);
  });

  it('stays silent without requests', () => {
    reg = createRegistry();
    expect(connectionWait(reg.cumulative())).toBeUndefined();
  });
});
