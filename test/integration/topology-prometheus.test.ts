/**
 * `rampart mocks --instances N --gateway <port> --prometheus [port]`: Prometheus starts with the
 * rest, scrapes every instance and the gateway with the rules of deploy/monitoring/rules, is
 * printed in the banner, and stops with the rest by pid on every path: SIGTERM, a failed start
 * (its port taken), and the launcher SIGKILLed.
 */
import { createServer, type Server } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { monitoringRuleFiles } from '../../mocks/topology/index.js';
import { queryInstant } from '../../src/thresholds/prometheus-query.js';
import { alive, childPids, cliEnv, cmdline, spawnCli, until } from '../support/processes.js';
import { startCli } from '../support/run-helpers.js';
import { sleep } from './topology-support.js';

const env = (): Record<string, string> => ({ REDIS_URL: inject('redisUrl'), KAFKA_BROKERS: inject('kafkaBrokers'), MOCKS_LOG_LEVEL: 'silent', MOCKS_KEY_PREFIX: 'rampart:test:topology-prometheus:' });
const linux = process.platform === 'linux';

/** The pids of a banner: HAProxy, every instance, Prometheus. */
const bannerPids = (out: string): number[] => [...out.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));

/** This process's children that the topology starts (instances, HAProxy, Prometheus). */
const topologyChildren = (): number[] => childPids(process.pid).filter((p) => /instance-main|haproxy|prometheus/.test(cmdline(p)));

describe('rampart mocks --prometheus', () => {
  it('refuses a bad port, and --prometheus without --gateway, with exit 2', async () => {
    for (const [args, message] of [
      [['--instances', '1', '--gateway', '0', '--prometheus', '70000'], /--prometheus must be a port from 0 to 65535, got "70000"/],
      [['--prometheus'], /--prometheus needs --gateway <port>/],
    ] as const) {
      const r = startCli(['mocks', ...args], { cwd: process.cwd(), env: env() });
      expect(await r.done).toBe(2);
      expect(r.stderr()).toMatch(message);
      expect(r.stdout()).toBe('');
    }
  });

  it('starts Prometheus scraping every instance and the gateway with the project rules; SIGTERM stops it with the rest', async () => {
    const r = startCli(['mocks', '--service', 'catalog,orders', '--instances', '2', '--gateway', '0', '--prometheus', '0'], { cwd: process.cwd(), env: env() });
    for (let i = 0; i < 1200 && !r.stdout().includes('Ctrl-C'); i++) await sleep(100);
    const out = r.stdout();
    const url = /^ {2}prometheus +(http:\/\/127\.0\.0\.1:\d+) \(pid \d+\)/m.exec(out)?.[1];
    expect(url, `${out}\n${r.stderr()}`).toBeDefined();
    expect(out).toContain('Ctrl-C stops Prometheus, the gateway and every instance.');
    const pids = bannerPids(out);
    expect(pids).toHaveLength(6); // HAProxy, four instances, Prometheus
    const prom = { url: url as string, timeMs: Date.now(), timeoutMs: 5000 };
    // Every instance and the gateway are up as targets, in the job names the rules and dashboards use.
    const up = await queryInstant('up == 1', prom);
    expect(up.map((s) => s.labels.job).sort()).toEqual(['catalog', 'catalog', 'gateway', 'orders', 'orders']);
    // The project's rules are loaded from deploy/monitoring/rules, and the lag KEDA scales on is recorded.
    const rules = (await (await fetch(`${url}/api/v1/rules`)).json()) as { data: { groups: { file: string; rules: unknown[] }[] } };
    expect(rules.data.groups.map((g) => g.file)).toEqual(monitoringRuleFiles());
    expect(rules.data.groups[0]?.rules.length).toBe(6);
    let lag: unknown[] = [];
    for (let i = 0; i < 100 && lag.length === 0; i++) {
      lag = await queryInstant('rampart:orders_consumer_lag:sum', { ...prom, timeMs: Date.now() });
      if (lag.length === 0) await sleep(100);
    }
    expect(lag).toHaveLength(1);
    r.signals.emit('SIGTERM');
    expect(await r.done).toBe(0);
    expect(r.stderr()).toMatch(/SIGTERM, stopping Prometheus, the gateway and 4 instances/);
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    await expect(fetch(`${url}/-/ready`)).rejects.toThrow();
  }, 150_000);

  it.runIf(linux)('a Prometheus that cannot start (its port taken) fails the start with exit 3 and leaves no process behind', async () => {
    const taken: Server = createServer();
    await new Promise<void>((ok) => taken.listen(0, '127.0.0.1', ok));
    const port = (taken.address() as { port: number }).port;
    try {
      expect(topologyChildren()).toEqual([]);
      const r = startCli(['mocks', '--service', 'catalog', '--instances', '1', '--gateway', '0', '--prometheus', String(port)], { cwd: process.cwd(), env: env() });
      expect(await r.done).toBe(3);
      expect(r.stderr()).toMatch(/cannot start the gateway topology: prometheus exited: .*address already in use/s);
      expect(r.stdout()).toBe('');
      expect(await until(() => topologyChildren().length === 0, 5000), topologyChildren().map(cmdline).join('\n')).toBe(true);
    } finally {
      taken.close();
    }
  }, 150_000);

  it.runIf(linux)('the launcher SIGKILLed: Prometheus, HAProxy and the instances die with it', async () => {
    const cli = spawnCli(['mocks', '--service', 'catalog', '--instances', '1', '--gateway', '0', '--prometheus', '0'], { env: cliEnv(env()) });
    expect(await until(() => cli.stdout().includes('Ctrl-C'), 120_000), cli.stderr()).toBe(true);
    const pids = bannerPids(cli.stdout());
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(alive(pid)).toBe(true);
    cli.child.kill('SIGKILL');
    await cli.exited;
    expect(await until(() => pids.every((p) => !alive(p)), 5000), pids.filter(alive).map(cmdline).join('\n')).toBe(true);
  }, 150_000);
});
