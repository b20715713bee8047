/**
 * `rampart mocks --instances N --gateway <port>`: bad flags exit 2 before anything starts; a good
 * start prints the gateway, the stats page and every instance's pid, serves through HAProxy, and
 * SIGTERM stops HAProxy and every instance it started (their pids are gone), exit 0.
 */
import { describe, expect, inject, it } from 'vitest';
import { startCli } from '../support/run-helpers.js';
import { sleep } from './topology-support.js';

const env = (): Record<string, string> => ({ REDIS_URL: inject('redisUrl'), KAFKA_BROKERS: inject('kafkaBrokers'), MOCKS_LOG_LEVEL: 'silent', MOCKS_KEY_PREFIX: 'rampart:test:topology-cli:' });
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('rampart mocks --instances --gateway', () => {
  it('refuses bad flags with exit 2 and one line per problem', async () => {
    for (const [args, message] of [
      [['--instances', '0', '--gateway', '0'], /--instances must be an integer from 1 to 32, got "0"/],
      [['--instances', '2'], /--instances needs --gateway <port>/],
      [['--instances', '2', '--gateway', '70000'], /--gateway must be a port from 0 to 65535, got "70000"/],
    ] as const) {
      const r = startCli(['mocks', ...args], { cwd: process.cwd(), env: env() });
      expect(await r.done).toBe(2);
      expect(r.stderr()).toMatch(message);
      expect(r.stdout()).toBe('');
    }
  });

  it('starts the instances behind HAProxy and stops every process it started on SIGTERM', async () => {
    const r = startCli(['mocks', '--service', 'catalog', '--instances', '2', '--gateway', '0', '--balance', 'leastconn'], { cwd: process.cwd(), env: env() });
    for (let i = 0; i < 600 && !r.stdout().includes('Ctrl-C'); i++) await sleep(100);
    const out = r.stdout();
    expect(out, r.stderr()).toMatch(/rampart mocks gateway on http:\/\/127\.0\.0\.1:\d+ \(HAProxy pid \d+, leastconn\)/);
    const gateway = /gateway on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] as string;
    const pids = [...out.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(3); // HAProxy and two instances
    expect(out).toMatch(/catalog-1 +http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/);
    expect(out).toMatch(/catalog-2 +http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/);
    expect((await fetch(`${gateway}/products/1`)).status).toBe(200);
    for (const pid of pids) expect(alive(pid)).toBe(true);
    r.signals.emit('SIGTERM');
    expect(await r.done).toBe(0);
    expect(r.stderr()).toMatch(/SIGTERM, stopping the gateway and 2 instances/);
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    await expect(fetch(`${gateway}/products/1`)).rejects.toThrow();
  }, 90_000);
});
