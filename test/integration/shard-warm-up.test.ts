/**
 * A shard that owns its process (a --shard or --agents process) warms it up as a single-process
 * run does (src/engine/own-process.ts): the warm-up's garbage collected, the helper threads left
 * to finish, then lowered for an open-model load, all before its first request.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { runShard } from '../../src/distributed/shard-runner.js';
import { scenarioFile } from '../support/run-helpers.js';
import { startTargetServer, type TargetServer } from '../support/target-server.js';

let target: TargetServer;
/** Requests the target has seen so far. */
const requests = (): number => [...target.hits.values()].reduce((n, c) => n + c, 0);
beforeAll(async () => {
  target = await startTargetServer();
});
afterAll(async () => {
  await target.close();
});

describe('a shard that owns its process', () => {
  it('collects the garbage, waits for the helper threads and lowers them before its first request, and reports it', async () => {
    const { file } = await scenarioFile(`
name: shard-warm-up
target: ${target.url}
load: { phases: [{ name: steady, duration: 400ms, rate: 20 }], maxVus: 10 }
journeys:
  - name: j
    steps: [{ name: get, get: /text }]
`);
    const plan = await loadScenario(file, { env: {} });
    const calls: string[] = [];
    const before = requests();
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
        collectGarbage: async () => (calls.push(`gc@${requests() - before}`), 10),
        collectKeepingCode: () => (calls.push(`gc-keeping-code@${requests() - before}`), 2),
        helpersIdle: async () => (calls.push(`idle@${requests() - before}`), 4),
        lowerHelperThreads: () => (calls.push(`lower@${requests() - before}`), 5),
        idleHelperThreads: async () => (calls.push(`idle-policy@${requests() - before}`), 3),
        markOnEventLoop: () => (calls.push(`mark@${requests() - before}`), true),
      },
    });
    expect(calls).toEqual(['gc@0', 'gc-keeping-code@0', 'idle@0', 'lower@0', 'idle-policy@0', 'mark@0']);
    expect(requests() - before).toBe(8);
    expect(res.report.generator.warmUp).toMatchObject({ gcMs: 10, gcAfterMs: 2, settleMs: 4, helperThreadsLowered: 5, helperThreadsIdle: 3, gcMarkingOnEventLoop: true });
  }, 20_000);
});
