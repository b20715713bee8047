/**
 * Balancing modes through a real HAProxy: with `leastconn`, an instance made slow (a higher origin
 * latency on catalog-1) gets far fewer requests than the fast one, because its connections stay busy
 * longer. (roundrobin's even spread is asserted in topology-gateway.test.ts.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTopology, type Topology } from '../../mocks/topology/index.js';
import { dropKeys, topologyConfig } from './topology-support.js';

const config = topologyConfig({ catalog: { originLatencyMs: 1, productCount: 1_000_000 } });
let topo: Topology;

beforeAll(async () => {
  topo = await startTopology({
    instances: 2,
    gatewayPort: 0,
    services: ['catalog'],
    balance: 'leastconn',
    config,
    instanceConfig: (_service, index) => (index === 1 ? { catalog: { originLatencyMs: 150 } } : undefined),
  });
}, 300_000);

afterAll(async () => {
  await topo?.close();
  await dropKeys(config.keyPrefix ?? 'none');
});

it('leastconn sends most requests to the fast instance when one is slow', async () => {
  expect(topo.haproxyConfig).toContain('balance leastconn');
  let next = 1;
  const until = Date.now() + 3000;
  // Eight clients in parallel, each asking for products never read before (always a cache MISS, so
  // every request pays its instance's origin latency).
  const client = async (): Promise<void> => {
    while (Date.now() < until) {
      const r = await fetch(`${topo.gatewayUrl}/products/${next++}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('x-cache')).toBe('MISS');
      await r.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 8 }, client));
  const stats = new Map((await topo.stats()).map((s) => [s.server, s.responses]));
  const slow = stats.get('catalog-1') ?? 0;
  const fast = stats.get('catalog-2') ?? 0;
  expect(slow + fast).toBeGreaterThan(100);
  expect(slow).toBeGreaterThan(0);
  expect(fast / (slow + fast)).toBeGreaterThan(0.75);
}, 30_000);
