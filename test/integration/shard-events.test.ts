/**
 * What a shard tells its collector when it is stopped mid-run (the path of --workers, --shard and
 * --agents): every second it measured, the partial last ones included, arrives as an interval
 * before its end, so the merged timeline adds up to the merged totals.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { runShard } from '../../src/distributed/shard-runner.js';
import { createAggregator } from '../../src/distributed/aggregator.js';
import type { ShardEvent } from '../../src/distributed/protocol.js';
import { decodeSnapshot, selectSeries } from '../../src/metrics/index.js';
import { scenarioFile } from '../support/run-helpers.js';
import { requestTotals } from '../support/processes.js';

let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const timer = setTimeout(() => res.end('{"ok":true}'), req.url === '/teardown' ? 1500 : 5);
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('a shard stopped mid-second, with a slow teardown', () => {
  it('sends every second before its end, and the merged timeline adds up to the totals', async () => {
    const { file } = await scenarioFile(`
name: shard-events
target: ${url}
load: { phases: [{ name: long, duration: 60s, rate: 40 }] }
# The stop comes 1.7 s after the start: all of it load, none of it warm-up.
warmUp: false
journeys:
  - name: j
    steps: [{ name: work, get: /work }]
teardown:
  - { name: bye, get: /teardown }
`);
    const plan = await loadScenario(file, { env: {} });
    const runId = `t-${randomUUID().slice(0, 8)}`;
    const ctl = new AbortController();
    setTimeout(() => ctl.abort('SIGTERM'), 1700);
    const events: ShardEvent[] = [];
    await Promise.all(
      [0, 1].map((index) =>
        runShard({ plan, shard: { index, count: 2 }, runId, seed: 7, emit: (e) => void events.push(e), host: 'test', log: () => undefined, version: '0.0.0', signal: ctl.signal }),
      ),
    );
    const agg = createAggregator({ plan, runId, shards: 2, version: '0.0.0' });
    for (const index of [0, 1]) {
      const mine = events.filter((e) => e.shard.index === index && e.kind !== 'heartbeat');
      const end = mine.findIndex((e) => e.kind === 'end');
      // The end comes last; seconds are numbered in order.
      expect(end).toBe(mine.length - 1);
      const seqs = mine.flatMap((e) => (e.kind === 'interval' ? [e.seq] : []));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      // The shard's own seconds add up to its whole cumulative snapshot.
      const sent = mine.reduce((n, e) => n + (e.kind === 'interval' ? e.point.requests : 0), 0);
      const last = mine[end];
      const total = last?.kind === 'end' ? selectSeries(decodeSnapshot(last.cumulative), 'http.requests', {}).reduce((n, s) => n + s.sum, 0) : -1;
      expect(total).toBeGreaterThan(20);
      expect(sent).toBe(total);
    }
    for (const e of events) agg.accept(e);
    const report = await agg.finish();
    expect(report).toMatchObject({ verdict: 'aborted', exitCode: 143 });
    const t = requestTotals(report);
    expect(t.timeline).toBe(t.summary);
    // The teardown's requests (one per shard) are in both.
    expect(report.series.filter((s) => s.metric === 'http.requests' && s.tags.phase === 'teardown').reduce((n, s) => n + s.sum, 0)).toBe(2);
  }, 20_000);
});
