/**
 * `npm run demo -- --topology` as a user runs it, with shortened durations (`--env`): the gateway
 * topology with Prometheus, scenarios/autoscaling.yaml through it, every report written, exit 0;
 * and its twins, `--break consumer` and `--kill-instance`, each exit 1 naming the server-side
 * threshold that caught it. After each, no process the demo started is alive (checked by pid).
 */
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runDemo, type FinishedDemo } from '../support/demo-process.js';
import { alive } from '../support/processes.js';
import { validateReport } from '../support/report-schema.js';

/** Short enough for a test; COOLDOWN still covers the lag's 5 s sampling plus a scrape. */
const SHORT = ['--env', 'WARMUP=2s', '--env', 'SPIKE=8s', '--env', 'COOLDOWN=7s', '--env', 'SETTLE=2s'];
const LAG_DRAINED = 'sum(max by (partition) (rampart_mocks_orders_consumer_lag))';
const GATEWAY_LOST_NONE = 'max_over_time(sum(haproxy_server_status{state="DOWN"})[$window:1s])';

async function topologyDemo(extra: readonly string[]): Promise<{ r: FinishedDemo; reports: string }> {
  const reports = join(await mkdtemp(join(tmpdir(), 'rampart-demo-topology-')), 'reports');
  const r = await runDemo(['--topology', '--from-source', '--reports', reports, ...SHORT, ...extra], 240_000);
  expect(r.stderr).not.toContain('internal error');
  return { r, reports };
}

/** Every pid the demo started: `rampart mocks`, then HAProxy, each instance and Prometheus from its banner. */
function startedPids(stderr: string): number[] {
  const launcher = [...stderr.matchAll(/\(rampart mocks pid (\d+)\)/g)].map((m) => Number(m[1]));
  const banner = [...stderr.matchAll(/^demo: topology: .*pid (\d+)/gm)].map((m) => Number(m[1]));
  return [...launcher, ...banner];
}

function expectNothingLeft(stderr: string): void {
  const pids = startedPids(stderr);
  expect(pids, stderr).toHaveLength(9); // rampart mocks, HAProxy, 6 instances, Prometheus
  for (const pid of pids) expect(alive(pid), `pid ${pid} is still running`).toBe(false);
  expect(stderr).toMatch(/demo: stopped Prometheus, the gateway and 6 instances \(/);
}

async function report(reports: string, name: string): Promise<Report> {
  return JSON.parse(await readFile(join(reports, `${name}.json`), 'utf8')) as Report;
}

describe('npm run demo -- --topology', () => {
  it('passes every client- and server-side threshold of autoscaling.yaml, writes the reports, exits 0 and leaves no process behind', { timeout: 250_000 }, async () => {
    const { r, reports } = await topologyDemo([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('verdict: PASSED');
    expect(r.stderr).toMatch(/demo: topology: {3}prometheus +http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/);
    expect(r.stderr).toContain('demo: the run ended with exit code 0 (every threshold passed)');
    expect((await readdir(reports)).sort()).toEqual(['autoscaling.html', 'autoscaling.json', 'autoscaling.junit.xml', 'autoscaling.md']);
    const rep = await report(reports, 'autoscaling');
    expect(validateReport(rep)).toEqual([]);
    expect(rep).toMatchObject({ verdict: 'passed', exitCode: 0 });
    // The server-side gate ran against the demo's Prometheus, and is in the printed summary.
    const server = rep.thresholds.filter((t) => t.metric === 'prometheus');
    expect(server).toHaveLength(5);
    expect(server.find((t) => t.key.startsWith('max_over_time(sum(max by (partition)'))?.observed).toBeGreaterThan(0);
    expect(r.stdout).toContain(`✓ pass  ${LAG_DRAINED}: value < 5`);
    expectNothingLeft(r.stderr);
  });

  it('--break consumer: the lag never drains; exit 1, naming the drain threshold', { timeout: 250_000 }, async () => {
    const { r, reports } = await topologyDemo(['--break', 'consumer']);
    expect(r.code, r.stderr).toBe(1);
    const rep = await report(reports, 'autoscaling-break-consumer');
    // Of the server-side gate, only the drain fails (client latency on a busy machine is not the point here).
    expect(rep.thresholds.filter((t) => t.metric === 'prometheus' && !t.passed).map((t) => t.key)).toEqual([LAG_DRAINED]);
    expect(rep.thresholds.find((t) => t.key === LAG_DRAINED)?.observed).toBeGreaterThanOrEqual(5);
    expect(r.stdout).toContain(`✗ FAIL  ${LAG_DRAINED}: value < 5`);
    expect(r.stderr).toContain(`demo: caught by: ${LAG_DRAINED}: value < 5`);
    expectNothingLeft(r.stderr);
  });

  it('--kill-instance: one instance SIGKILLed mid-spike, the gateway takes it out; exit 1, naming the gateway threshold', { timeout: 250_000 }, async () => {
    const { r, reports } = await topologyDemo(['--kill-instance']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/demo: SIGKILL catalog-2 \(pid \d+\) in the middle of the spike/);
    const rep = await report(reports, 'autoscaling-kill-instance');
    const failed = rep.thresholds.filter((t) => t.metric === 'prometheus' && !t.passed);
    expect(failed.map((t) => t.key)).toEqual([GATEWAY_LOST_NONE]);
    expect(failed.find((t) => t.key === GATEWAY_LOST_NONE)?.observed).toBeGreaterThanOrEqual(1);
    expect(r.stdout).toContain(`✗ FAIL  ${GATEWAY_LOST_NONE}: value == 0`);
    expect(r.stderr).toContain(`demo: caught by: ${GATEWAY_LOST_NONE}: value == 0`);
    expectNothingLeft(r.stderr);
  });

  it('refuses a twin without --topology, two twins, and another break, with exit 2 before starting anything', async () => {
    for (const [args, message] of [
      [['--kill-instance'], '--break, --kill-instance and --instances go with --topology'],
      [['--topology', '--kill-instance', '--break', 'consumer'], 'one twin at a time: --break consumer or --kill-instance'],
      [['--topology', '--break', 'cache'], '--break: the topology demo breaks the consumer only (--break consumer), got "cache"'],
      [['--topology', '--instances', '1'], '--instances must be an integer from 2 to 8, got "1"'],
    ] as const) {
      const r = await runDemo(args, 60_000);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`demo: ${message}`);
      expect(r.stderr).not.toContain('making Redis and Kafka available');
    }
  });
});
