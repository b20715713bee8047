/**
 * Three instances of each service behind a real HAProxy gateway behave as one service: shared cache,
 * shared order state, one global rate limit; roundrobin spreads requests evenly; an instance killed
 * in the middle of a `rampart run` through the gateway is taken out by the health checks, costs a
 * bounded number of failed requests, leaves the run's gate green, and rejoins when restarted.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTopology, type Topology, type TopologyInstance } from '../../mocks/topology/index.js';
import type { Report } from '../../src/report/model.js';
import { scenarioFile, startCli } from '../support/run-helpers.js';
import { dropKeys, sleep, topologyConfig } from './topology-support.js';

const config = topologyConfig({ catalog: { originLatencyMs: 5 } });
let topo: Topology;

beforeAll(async () => {
  topo = await startTopology({
    instances: 3,
    gatewayPort: 0,
    config,
    // Only payments limits, so the other tests are not throttled: 9 requests per 60 s per client.
    instanceConfig: (service) => (service === 'payments' ? { rateLimit: { enabled: true, max: 9, windowMs: 60_000 } } : undefined),
    checkIntervalMs: 300,
    fall: 2,
    rise: 2,
  });
}, 300_000);

afterAll(async () => {
  await topo?.close();
  await dropKeys(config.keyPrefix ?? 'none');
});

const instance = (name: string): TopologyInstance => {
  const i = topo.instances.find((x) => x.name === name);
  if (i === undefined) throw new Error(`no instance ${name}`);
  return i;
};
const responses = async (prefix: string): Promise<Map<string, number>> =>
  new Map((await topo.stats()).filter((s) => s.server.startsWith(prefix)).map((s) => [s.server, s.responses]));

describe('three instances behind the gateway behave as one', () => {
  it('a cache entry written through one instance is a HIT through the others and through the gateway', async () => {
    const first = await fetch(`${instance('catalog-1').url}/products/777`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    for (const name of ['catalog-2', 'catalog-3']) {
      const r = await fetch(`${instance(name).url}/products/777`);
      expect(r.headers.get('x-cache')).toBe('HIT');
    }
    const viaGateway = await fetch(`${topo.gatewayUrl}/products/777`);
    expect(viaGateway.status).toBe(200);
    expect(viaGateway.headers.get('x-cache')).toBe('HIT');
  });

  it('an order accepted by one instance is visible from the others and is processed once', async () => {
    const post = await fetch(`${instance('orders-1').url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ productId: '42', qty: 2 }) });
    expect(post.status).toBe(202);
    const { jobId } = (await post.json()) as { jobId: string };
    for (const name of ['orders-2', 'orders-3']) {
      const r = await fetch(`${instance(name).url}/orders/${jobId}`);
      expect(r.status).toBe(200);
      expect(((await r.json()) as { productId: string }).productId).toBe('42');
    }
    let status = '';
    let doneCount = 0;
    for (let i = 0; i < 100 && status !== 'done'; i++) {
      const r = (await (await fetch(`${topo.gatewayUrl}/orders/${jobId}`)).json()) as { status: string; doneCount: number };
      status = r.status;
      doneCount = r.doneCount;
      if (status !== 'done') await sleep(100);
    }
    expect(status).toBe('done');
    expect(doneCount).toBe(1);
  });

  it('the rate limit is global: 9 requests per client across all three instances, then 429', async () => {
    const before = await responses('payments-');
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await fetch(`${topo.gatewayUrl}/payments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amount":5}' });
      codes.push(r.status);
    }
    expect(codes.slice(0, 9).every((c) => c === 201)).toBe(true);
    expect(codes.slice(9)).toEqual([429, 429, 429]);
    // Every instance served some of them: one budget shared, not three budgets of 9.
    const after = await responses('payments-');
    for (const [server, n] of after) expect(n - (before.get(server) ?? 0), server).toBeGreaterThanOrEqual(3);
  });

  it('roundrobin spreads requests evenly over the instances', async () => {
    const before = await responses('catalog-');
    for (let i = 0; i < 30; i++) expect((await fetch(`${topo.gatewayUrl}/products/${1 + (i % 5)}`)).status).toBe(200);
    const after = await responses('catalog-');
    const deltas = [...after].map(([server, n]) => n - (before.get(server) ?? 0));
    expect(deltas).toHaveLength(3);
    for (const d of deltas) expect(d).toBe(10);
  });
});

describe('an instance killed mid-run', () => {
  it('is taken out within 2 s, costs at most 5 failed requests, the gate stays green, and it rejoins when restarted', async () => {
    const victim = instance('catalog-2');
    const { dir, file } = await scenarioFile(`
name: gateway-failover
target: ${topo.gatewayUrl}
load:
  phases: [{ duration: 6s, rate: 40 }]
journeys:
  - name: browse
    steps:
      - name: product
        get: /products/{{ random.int(1, 50) }}
        expect: { status: 200 }
thresholds:
  http.errors: ["rate < 5%"]
`);
    const out = join(dir, 'report.json');
    const run = startCli(['run', file, '--out', out, '--quiet'], { cwd: dir });
    await sleep(2000);
    const killedAt = Date.now();
    await victim.stop('SIGKILL');
    await topo.waitUntil('DOWN', ['catalog-2'], 5000);
    const outAfterMs = Date.now() - killedAt;
    const code = await run.done;
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    const step = report.journeys?.[0]?.steps[0];
    const requests = step?.requests ?? 0;
    const failed = Math.round(requests * (step?.errorRate ?? 1));
    expect(outAfterMs).toBeLessThan(2000);
    expect(requests).toBeGreaterThan(200);
    expect(failed).toBeLessThanOrEqual(5);
    expect(code, run.stderr()).toBe(0);
    expect(report.thresholds.every((t) => t.passed)).toBe(true);

    await victim.start();
    const restartedAt = Date.now();
    await topo.waitUntil('UP', ['catalog-2'], 5000);
    expect(Date.now() - restartedAt).toBeLessThan(3000);
    const before = await responses('catalog-2');
    for (let i = 0; i < 9; i++) await fetch(`${topo.gatewayUrl}/products/3`);
    expect(((await responses('catalog-2')).get('catalog-2') ?? 0) - (before.get('catalog-2') ?? 0)).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
