/**
 * The distributed path end to end over a real Kafka broker: shard processes (`--agents`) stream
 * their snapshots, a collector merges them. Same totals as one process; a killed shard is named and
 * exits 4; replayed and duplicated messages change nothing.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import type { Plan } from '../../src/scenario/plan.js';
import type { Report } from '../../src/report/model.js';
import { createRegistry } from '../../src/metrics/index.js';
import { Run } from '../../src/engine/run.js';
import { createRunCollaborators } from '../../src/engine/wire.js';
import { runAgents } from '../../src/distributed/agents.js';
import { collectRun } from '../../src/distributed/collector.js';
import { connectKafkaSink, consumeRunEvents, parseBrokers, type KafkaTarget } from '../../src/distributed/kafka.js';
import type { ShardEvent } from '../../src/distributed/protocol.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, scenarioFile, validateReport } from '../support/run-helpers.js';

let target: { url: string; close(): Promise<void> };
beforeAll(async () => {
  const srv: Server = createServer((req, res) => {
    // A little latency spread so the histograms have shape.
    const delay = (req.url ?? '').includes('slow') ? 15 : 2;
    setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    }, delay);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  target = { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => srv.close(() => r())) };
});
afterAll(async () => {
  await target.close();
});

const kafkaTopic = (): KafkaTarget => ({ brokers: parseBrokers(inject('kafkaBrokers')), topic: `rampart-test-${randomUUID().slice(0, 8)}` });

const scenario = (url: string, rate: number, seconds: number): string => `
name: distributed
target: ${url}
load:
  phases: [{ name: steady, duration: ${seconds}s, rate: ${rate} }]
journeys:
  - name: browse
    weight: 2
    steps:
      - name: fast
        get: /fast
        expect: { status: 200 }
        check: { ok: { status: 200 } }
  - name: buy
    weight: 1
    steps:
      - name: slow
        get: /slow
        expect: { status: 200 }
thresholds:
  http.errors: ["rate < 1%"]
  "http.latency{step:fast}": ["p(95) < 2000ms"]
gracefulStop: 3s
`;

/**
 * Counts and sums per series key (metric + tags), for comparing runs. Gauges, bytes and new
 * connections depend on how many processes (connection pools) ran the load, not on the plan.
 */
function totals(r: Report): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of r.series) {
    if (s.type === 'gauge' || s.metric === 'data.received' || s.metric === 'data.sent' || s.metric === 'http.connect') continue;
    const key = `${s.metric}${JSON.stringify(Object.fromEntries(Object.entries(s.tags).filter(([k]) => k !== 'phase').sort()))}`;
    out[key] = (out[key] ?? 0) + (s.type === 'counter' ? s.sum : s.count);
  }
  return out;
}

async function singleProcess(plan: Plan, seed: number): Promise<Report> {
  const registry = createRegistry();
  const collab = createRunCollaborators(plan, { sink: registry, log: () => undefined, seed });
  try {
    return await new Run({ plan, registry, createVu: collab.createVu, seed, version: 'test' }).start();
  } finally {
    await collab.close();
    registry.dispose();
  }
}

const quiet = { log: () => undefined, version: 'test' } as const;

describe('distributed run over Kafka', () => {
  let firstReport: Report | undefined;
  let firstRun: { kafka: KafkaTarget; runId: string; plan: Plan } | undefined;

  it('3 shard processes and a collector give the same totals as one process running the plan', async () => {
    const { file } = await scenarioFile(scenario(target.url, 12, 2));
    const plan = await loadScenario(file, { env: {} });
    const kafka = kafkaTopic();
    const runId = `t-${randomUUID()}`;
    const seed = 4242;
    const single = await singleProcess(plan, seed);
    const res = await runAgents({ ...quiet, plan, scenarioFile: file, env: {}, agents: 3, kafka, runId, seed, startDelayMs: 4000 });
    const r = res.report;
    expect(validateReport(r)).toEqual([]);
    expect(res.agentExitCodes).toEqual([0, 0, 0]);
    expect(r.exitCode).toBe(0);
    expect(r.verdict).toBe('passed');
    expect(r.runId).toBe(runId);
    expect(r.environment.workers).toBe(3);
    // 12/s for 2 s = 24 arrivals, split 2:1 by the seeded picks exactly as one process split them.
    expect(totals(r)).toEqual(totals(single));
    expect(r.series.filter((s) => s.metric === 'journeys.started').reduce((n, s) => n + s.sum, 0)).toBe(24);
    expect(r.journeys?.map((j) => [j.name, j.started])).toEqual(single.journeys?.map((j) => [j.name, j.started]));
    expect(r.thresholds.map((t) => t.passed)).toEqual([true, true]);
    expect(r.timeline.length).toBeGreaterThanOrEqual(2);
    firstReport = r;
    firstRun = { kafka, runId, plan };
  }, 40_000);

  it('replayed and duplicated messages change nothing', async () => {
    expect(firstRun).toBeDefined();
    if (!firstRun || !firstReport) return;
    const { kafka, runId, plan } = firstRun;
    // Read the run back and publish every event again, twice.
    const events: ShardEvent[] = [];
    const src = await consumeRunEvents(kafka, runId, (e) => void events.push(e), { clientId: 'test-read' });
    const deadline = Date.now() + 15_000;
    while (events.filter((e) => e.kind === 'end').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await src.close();
    expect(events.filter((e) => e.kind === 'end')).toHaveLength(3);
    const sink = await connectKafkaSink(kafka, { clientId: 'test-dup' });
    for (const e of [...events, ...events]) await sink.emit(e);
    await sink.close();
    const again = await collectRun({ ...quiet, plan, kafka, runId, shards: 3, lostAfterMs: 3000 });
    expect(again.report.exitCode).toBe(0);
    expect(totals(again.report)).toEqual(totals(firstReport));
    const pct = (r: Report): unknown => r.series.filter((s) => s.type === 'trend').map((s) => [s.metric, s.tags, s.count, s.p50, s.p95, s.p99, s.max]);
    expect(pct(again.report)).toEqual(pct(firstReport));
  }, 30_000);

  it('a shard killed mid-run is reported by name, exit 4, and the other shards are merged intact', async () => {
    const { file } = await scenarioFile(scenario(target.url, 6, 4));
    const plan = await loadScenario(file, { env: {} });
    const kafka = kafkaTopic();
    const runId = `t-${randomUUID()}`;
    const res = await runAgents({
      ...quiet,
      plan,
      scenarioFile: file,
      env: {},
      agents: 3,
      kafka,
      runId,
      seed: 99,
      startDelayMs: 4000,
      lostAfterMs: 2500,
      onAgent: (index, child) => {
        // Shard 1 dies 1.5 s into the load, without a word.
        if (index === 1) setTimeout(() => child.kill('SIGKILL'), 5500).unref();
      },
    });
    const r = res.report;
    expect(validateReport(r)).toEqual([]);
    expect(r.exitCode).toBe(4);
    expect(r.verdict).toBe('aborted');
    expect(r.abortReason).toContain('shard 1/3');
    expect(r.warnings.join('\n')).toContain('shard 1/3');
    expect(res.agentExitCodes[0]).toBe(0);
    expect(res.agentExitCodes[2]).toBe(0);
    // 6/s for 4 s = 24 arrivals, 8 per shard: shards 0 and 2 complete, shard 1 only partly.
    const started = r.series.filter((s) => s.metric === 'journeys.started').reduce((n, s) => n + s.sum, 0);
    expect(started).toBeGreaterThanOrEqual(16);
    expect(started).toBeLessThan(24);
  }, 40_000);

  it('rampart run --agents 2 runs the whole path from the command line', async () => {
    const { dir, file } = await scenarioFile(scenario(target.url, 8, 2));
    const out = join(dir, 'agents.json');
    const { brokers, topic } = kafkaTopic();
    const r = await runCli(['run', file, '--agents', '2', '--output', `kafka://${brokers.join(',')}/${topic}`, '--out', out, '--quiet'], { cwd: dir, env: {} });
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/run run-[0-9a-f]{16}: 2 shard processes/);
    expect(r.stdout).toContain('verdict: PASSED');
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(report.environment.workers).toBe(2);
    expect(report.series.filter((s) => s.metric === 'journeys.started').reduce((n, s) => n + s.sum, 0)).toBe(16);
  }, 30_000);
});
