/**
 * A shard that owns its process (a --shard or --agents process) warms it up as a single-process
 * run does (src/engine/own-process.ts): the warm-up's garbage collected, the helper threads left
 * to finish, then lowered for an open-model load, all before its first request.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { runShard } from '../../src/distributed/shard-runner.js';
import { scenarioFile } from '../support/run-helpers.js';

let server: Server;
let url = '';
let requests = 0;
beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('a shard that owns its process', () => {
  it('collects the garbage, waits for the helper threads and lowers them before its first request, and reports it', async () => {
    const { file } = await scenarioFile(`
name: shard-warm-up
target: ${url}
load: { phases: [{ name: steady, duration: 400ms, rate: 20 }], maxVus: 10 }
journeys:
  - name: j
    steps: [{ name: get, get: / }]
`);
    const plan = await loadScenario(file, { env: {} });
    const calls: string[] = [];
    requests = 0;
    const res = await runShard({
      plan,
      shard: { index: 0, count: 1 },
      runId: `t-${randomUUID().slice(0, 8)}`,
      seed: 3,
      emit: () => undefined,
      host: 'test',
      log: () => undefined,
      version: '0.0.0',
      ownProcess: {
        collectGarbage: async () => (calls.push(`gc@${requests}`), 10),
        helpersIdle: async () => (calls.push(`idle@${requests}`), 4),
        lowerHelperThreads: () => (calls.push(`lower@${requests}`), 5),
      },
    });
    expect(calls).toEqual(['gc@0', 'idle@0', 'lower@0']);
    expect(requests).toBe(8);
    expect(res.report.generator.warmUp).toMatchObject({ gcMs: 10, settleMs: 4, helperThreadsLowered: 5 });
  }, 20_000);
});
