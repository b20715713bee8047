/**
 * scenarios/autoscaling.yaml end to end, shortened: two instances of each service behind HAProxy,
 * a real Prometheus scraping them and the gateway every second, the scenario's spike through the
 * gateway. It passes on its client-side thresholds and on every server-side one: the orders lag
 * rose during the spike and drained after it, catalog and payments burnt CPU, no 5xx, no instance
 * taken out.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPrometheus, startTopology, type RunningPrometheus, type Topology } from '../../mocks/topology/index.js';
import type { Report } from '../../src/report/model.js';
import { runCli, scenarioFile } from '../support/run-helpers.js';
import { dropKeys, topologyConfig } from './topology-support.js';

// Slow order work (250 ms) so the spike queues work faster than it is done for a while.
const config = topologyConfig({ catalog: { originLatencyMs: 5 }, orders: { processingMs: 250 } });
let topo: Topology;
let prom: RunningPrometheus;

beforeAll(async () => {
  topo = await startTopology({ instances: 2, gatewayPort: 0, config });
  const hosts = (service: string): string[] => topo.instances.filter((i) => i.service === service).map((i) => new URL(i.url).host);
  prom = await startPrometheus({
    scrapeIntervalMs: 1000,
    jobs: [
      { job: 'catalog', targets: hosts('catalog') },
      { job: 'orders', targets: hosts('orders') },
      { job: 'payments', targets: hosts('payments') },
      { job: 'gateway', targets: [new URL(topo.statsUrl).host] },
    ],
  });
}, 300_000);

afterAll(async () => {
  await prom?.stop();
  await topo?.close();
  await dropKeys(config.keyPrefix ?? 'none');
});

it('the spike passes every client- and server-side threshold of scenarios/autoscaling.yaml', async () => {
  const { dir } = await scenarioFile('');
  const out = join(dir, 'report.json');
  const env = { TARGET_URL: topo.gatewayUrl, PROMETHEUS_URL: prom.url, WARMUP: '3s', SPIKE: '12s', SPIKE_RATE: '60', COOLDOWN: '10s', SETTLE: '4s' };
  const r = await runCli(['run', join(import.meta.dirname, '../../scenarios/autoscaling.yaml'), '--out', out, '--quiet'], { cwd: dir, env });
  const report = JSON.parse(await readFile(out, 'utf8')) as Report;
  const server = report.thresholds.filter((t) => t.metric === 'prometheus');
  expect(server, r.stderr).toHaveLength(5);
  for (const t of report.thresholds) expect(t.passed, `${t.key}: ${t.expression} observed ${t.observed} ${t.message ?? ''}`).toBe(true);
  expect(r.code).toBe(0);
  // The lag really rose (KEDA would have added workers) and really drained.
  const rose = server.find((t) => t.key.startsWith('max_over_time(sum(max by (partition)'));
  expect(rose?.observed).toBeGreaterThan(0);
  const drained = server.find((t) => t.key.startsWith('sum(max by (partition)'));
  expect(drained?.observed).toBeLessThan(5);
}, 90_000);
