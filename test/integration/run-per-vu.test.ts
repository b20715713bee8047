import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Run } from '../../src/engine/run.js';
import { createRunCollaborators } from '../../src/engine/wire.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { parseScenarioText } from '../../src/scenario/index.js';

/** A server that counts the connections it accepted and those still open. */
let server: Server;
let url = '';
let accepted = 0;
let open = 0;
beforeAll(async () => {
  server = createServer((_req, res) => res.end('ok'));
  server.on('connection', (socket) => {
    accepted++;
    open++;
    socket.on('close', () => open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('a closed load with a connection per VU, through the engine', () => {
  it('each VU keeps its own connection through its iterations and closes it when it ends', async () => {
    const parsed = await parseScenarioText(
      `name: per-vu
target: ${url}
warmUp: false
http: { connectionPolicy: per-vu }
load: { vus: 5, duration: 10s, iterationsPerVu: 3 }
journeys:
  - name: twice
    steps:
      - get: /a
      - get: /b
      - think: 5ms
`,
      'per-vu.yaml',
      { env: {} },
      '/per-vu.yaml',
    );
    const plan = parsed.plan;
    if (plan === undefined) throw new Error(parsed.problems.map((p) => p.message).join('; '));
    const sink = createRegistry();
    const c = createRunCollaborators(plan, { sink, log: () => undefined, seed: 1 });
    try {
      const report = await new Run({ plan, registry: sink, createVu: c.createVu, seed: 1, intervalMs: 100 }).start();
      expect(report.journeys?.[0]?.completed).toBe(15);
      const requests = sink.cumulative().series.filter((s) => s.metric === 'http.requests').reduce((n, s) => n + s.sum, 0);
      expect(requests).toBe(30);
      // One connection per VU, kept alive across its six requests; each VU closed its own as it ended.
      expect(accepted).toBe(5);
      await expect.poll(() => open).toBe(0);
    } finally {
      await c.close();
      sink.dispose();
    }
  });
});
