/**
 * `rampart run --agents N` as a real process, signalled for real, over the real Kafka broker: a
 * SIGTERM writes the aborted report promptly with a timeline that adds up, SIGKILL to the parent
 * takes its agent processes with it, and with no broker named the default one is used when it
 * answers (else a clear usage error).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { runScaleOut, scaleOutMode, DEFAULT_BROKER } from '../../src/distributed/scale-out.js';
import { UsageError } from '../../src/errors.js';
import { refusedUrl, scenarioFile, validateReport } from '../support/run-helpers.js';
import { alive, childPids, cliEnv, cmdline, readReport, requestTotals, spawnCli, until } from '../support/processes.js';

let server: Server;
let url = '';
let hits = 0;
beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    const timer = setTimeout(() => res.end('{"ok":true}'), 10);
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
beforeEach(() => {
  hits = 0;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const scenario = (): string => `
name: agents-signals
target: ${url}
load: { phases: [{ name: long, duration: 60s, rate: 40 }] }
journeys:
  - name: j
    steps: [{ name: work, get: /work }]
`;

const brokers = (): string => inject('kafkaBrokers');
const agentsOf = (pid: number): number[] => childPids(pid).filter((c) => cmdline(c).includes('agent-main'));

describe.runIf(process.platform === 'linux')('rampart run --agents, signalled for real', () => {
  it('SIGTERM: the aborted report is written promptly, the signal is said, the timeline adds up, the agents end', async () => {
    const { dir, file } = await scenarioFile(scenario());
    const out = join(dir, 'report.json');
    const topic = `rampart-sig-${randomUUID().slice(0, 8)}`;
    const p = spawnCli(['run', file, '--agents', '2', '--output', `kafka://${brokers()}/${topic}`, '--out', out, '--quiet']);
    expect(await until(() => hits > 60, 25_000), p.stderr()).toBe(true);
    const agents = agentsOf(p.pid);
    expect(agents).toHaveLength(2);
    const sentAt = Date.now();
    p.child.kill('SIGTERM');
    // It took 5 s when the collector left its Kafka group before writing (a single process: 30 ms).
    expect(await until(() => readReport(out) !== undefined, 1500), p.stderr()).toBe(true);
    expect(Date.now() - sentAt).toBeLessThan(1500);
    const { code } = await p.exited;
    expect(code, p.stderr()).toBe(143);
    expect(p.stderr()).toContain('SIGTERM: stopping the load and writing the report');
    const report = readReport(out);
    expect(validateReport(report)).toEqual([]);
    expect(report).toMatchObject({ verdict: 'aborted', exitCode: 143 });
    const t = requestTotals(report as NonNullable<typeof report>);
    expect(t.summary).toBeGreaterThan(60);
    expect(t.timeline).toBe(t.summary);
    for (const a of agents) expect(alive(a), `agent ${a}`).toBe(false);
  }, 60_000);

  it('SIGKILL to the parent: its agents die with it and the load stops (default broker when it answers)', async () => {
    const { file } = await scenarioFile(scenario());
    // No --output and no KAFKA_BROKERS: the default broker, when the tests' broker is that one.
    const useDefault = brokers().split(',').includes(DEFAULT_BROKER);
    const p = spawnCli(['run', file, '--agents', '2', '--quiet', ...(useDefault ? [] : ['--output', `kafka://${brokers()}/rampart-sig-${randomUUID().slice(0, 8)}`])], {
      env: cliEnv(),
    });
    expect(await until(() => hits > 60, 25_000), p.stderr()).toBe(true);
    if (useDefault) expect(p.stderr()).toContain(`kafka ${DEFAULT_BROKER}/rampart-runs`);
    const agents = agentsOf(p.pid);
    expect(agents).toHaveLength(2);
    p.child.kill('SIGKILL');
    await p.exited;
    const gone = await until(() => agents.every((a) => !alive(a)), 5000);
    for (const a of agents) if (alive(a)) process.kill(a, 'SIGKILL');
    expect(gone).toBe(true);
    const after = hits;
    await new Promise((r) => setTimeout(r, 500));
    expect(hits).toBe(after);
  }, 60_000);
});

describe('--agents with no broker named', () => {
  it('none answering on the default address: a usage error that names both ways to give one, nothing sent', async () => {
    const { file } = await scenarioFile(scenario());
    const plan = await loadScenario(file, { env: {} });
    const mode = scaleOutMode({ agents: '2' }, plan, { env: {}, now: Date.now() });
    expect(mode).toMatchObject({ kind: 'agents', defaultBroker: true, kafka: { brokers: [DEFAULT_BROKER] } });
    // The same mode, its default pointed at a port where nothing listens.
    const nowhere = new URL(await refusedUrl()).host;
    const run = runScaleOut({ ...(mode as Extract<typeof mode, { kind: 'agents' }>), kafka: { brokers: [nowhere], topic: 'rampart-runs' } }, {
      plan,
      outputs: [],
      shardOutputs: [],
      version: '0.0.0',
      scenarioFile: file,
      env: {},
      log: () => undefined,
      warn: () => undefined,
      signals: new EventEmitter(),
    });
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(new RegExp(`none answers on the default ${nowhere}.*--output kafka://host:port/topic \\(or KAFKA_BROKERS\\)`));
    expect(hits).toBe(0);
  });
});
