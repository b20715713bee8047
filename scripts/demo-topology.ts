/**
 * `npm run demo -- --topology`: the production topology in one command. Makes Redis and Kafka
 * available, starts `rampart mocks --instances N --gateway 0 --prometheus 0` (N processes per
 * service behind HAProxy, and a Prometheus that scrapes them and the gateway with the project's
 * rules) in its own process, runs scenarios/autoscaling.yaml through the gateway, gated on the
 * server-side signals read from that Prometheus, writes the reports, stops every process it
 * started (checked by pid) and exits with the run's exit code.
 *
 * The twins: `--break consumer` (the orders consumer never works: the lag never drains) and
 * `--kill-instance` (the last catalog instance is SIGKILLed in the middle of the spike: the
 * gateway's health checks take it out). Each should exit 1, the report naming what caught it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gatewayStats } from '../mocks/topology/gateway-stats.js';
import { dieWithParent } from '../mocks/topology/process.js';
import type { Report } from '../src/report/model.js';
import { parseDuration } from '../src/scenario/units.js';
import { MEANING, READY_TIMEOUT_MS, exitCodeOf, exited, log, prefixLines, seconds, shown, stopChild, waitOrdersFlow, writeReports, type DemoSignals } from './demo-support.js';
import { ensureServices } from './services/index.js';

/** A negative twin of the topology demo. */
export type TopologyTwin = 'break-consumer' | 'kill-instance';

/**
 * scenarios/autoscaling.yaml shortened so the demo takes about two minutes. COOLDOWN covers the
 * lag's 5 s sampling plus a scrape, so a drained queue is seen as drained. `--env` overrides each.
 */
export const TOPOLOGY_DEMO_ENV: Readonly<Record<string, string>> = { WARMUP: '10s', SPIKE: '25s', SPIKE_RATE: '60', COOLDOWN: '15s', SETTLE: '5s' };

/** Slow order work, so the spike queues orders faster than they are done for a while (the lag rises). */
const ORDERS_PROCESSING_MS = '250';

/** Options of {@link demoTopology} (parsed by scripts/demo.ts). */
export interface TopologyDemoOptions {
  readonly scenario: string;
  /** Report base name (the scenario's file name). */
  readonly name: string;
  readonly reports: string;
  readonly env: readonly string[];
  readonly instances: number;
  readonly twin?: TopologyTwin;
  /** How `rampart` is started. */
  readonly cli: readonly string[];
  readonly signals: DemoSignals;
}

/** What `rampart mocks --gateway … --prometheus …` printed: its URLs and every pid it started. */
interface Banner {
  readonly gatewayUrl: string;
  /** The gateway's stats page and exporter, e.g. `http://127.0.0.1:41234`. */
  readonly statsUrl: string;
  readonly prometheusUrl: string;
  /** HAProxy, Prometheus and every instance, by name (`haproxy`, `prometheus`, `catalog-1`, …). */
  readonly pids: ReadonlyMap<string, number>;
}

/** Parses the banner's lines (see src/cli/commands/mocks.ts); undefined while incomplete. */
export function parseBanner(lines: readonly string[]): Banner | undefined {
  let gatewayUrl: string | undefined;
  let statsUrl: string | undefined;
  let prometheusUrl: string | undefined;
  const pids = new Map<string, number>();
  for (const l of lines) {
    const gw = /^rampart mocks gateway on (\S+) \(HAProxy pid (\d+)/.exec(l);
    if (gw) {
      gatewayUrl = gw[1];
      pids.set('haproxy', Number(gw[2]));
    }
    statsUrl ??= /^ {2}stats +(http:\/\/\S+)\/stats /.exec(l)?.[1];
    const proc = /^ {2}(\S+) +(http:\/\/\S+) \(pid (\d+)\)/.exec(l);
    if (proc?.[1] === 'prometheus') prometheusUrl = proc[2];
    if (proc) pids.set(proc[1] as string, Number(proc[3]));
  }
  if (gatewayUrl === undefined || statsUrl === undefined || prometheusUrl === undefined || !lines.some((l) => l.includes('Ctrl-C'))) return undefined;
  return { gatewayUrl, statsUrl, prometheusUrl, pids };
}

/** Starts the topology in its own process group (Ctrl-C reaches the demo only) and waits for its banner. */
async function startTopologyProcess(opts: TopologyDemoOptions, redisUrl: string, kafkaBrokers: string): Promise<{ child: ChildProcess; banner: Banner }> {
  // The broken twin gets its own topic and group: its queued jobs must not land on the healthy demo's workers.
  const queue = opts.twin === 'break-consumer' ? 'rampart.demo.topology.broken' : 'rampart.demo.topology';
  const args = [
    ...opts.cli, 'mocks', '--instances', String(opts.instances), '--gateway', '0', '--prometheus', '0',
    '--redis-url', redisUrl, '--kafka-brokers', kafkaBrokers, '--key-prefix', 'rampart:demo-topology:',
    '--orders-topic', queue, '--orders-group', queue.replaceAll('.', '-'), '--orders-processing-ms', ORDERS_PROCESSING_MS,
    ...(opts.twin === 'break-consumer' ? ['--break', 'consumer'] : []),
  ];
  // Through setpriv --pdeathsig: should the demo be killed, the topology goes with it.
  const line = dieWithParent(process.execPath, args);
  const child = spawn(line.command, line.args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' } });
  log(`starting ${opts.instances} instances of each service behind HAProxy, and Prometheus (rampart mocks pid ${child.pid})…`);
  prefixLines(child.stderr, 'mocks: ');
  const lines: string[] = [];
  const banner = new Promise<Banner>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the topology was not up within ${(3 * READY_TIMEOUT_MS) / 1000} s`)), 3 * READY_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the topology could not start (rampart mocks exited with code ${code})`));
    });
    prefixLines(child.stdout, 'topology: ', (l) => {
      lines.push(l);
      const b = parseBanner(lines);
      if (b === undefined) return;
      clearTimeout(timer);
      ok(b);
    });
  });
  try {
    return { child, banner: await banner };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

/** The value of a scenario variable as the run sees it: the last `--env` that sets it, else the demo's default. */
function envValue(opts: TopologyDemoOptions, key: string): string | undefined {
  const set = opts.env.filter((e) => e.startsWith(`${key}=`)).at(-1);
  return set === undefined ? TOPOLOGY_DEMO_ENV[key] : set.slice(key.length + 1);
}

/**
 * Resolves true once the gateway has answered a request more than it had when called (the run's
 * first request: a loaded machine may take seconds to start it), false when `run` exits first.
 */
async function runStarted(statsUrl: string, run: ChildProcess): Promise<boolean> {
  const answered = async (): Promise<number> => (await gatewayStats(statsUrl)).reduce((n, s) => n + s.responses, 0);
  const before = await answered();
  while (!exited(run)) {
    await new Promise((r) => setTimeout(r, 100));
    if ((await answered().catch(() => before)) > before) return true;
  }
  return false;
}

/** SIGKILLs the last catalog instance in the middle of the spike: WARMUP + SPIKE / 2 after the run's first request. */
async function killMidSpike(opts: TopologyDemoOptions, banner: Banner, run: ChildProcess): Promise<void> {
  const victim = `catalog-${opts.instances}`;
  const pid = banner.pids.get(victim);
  let atMs: number;
  try {
    atMs = parseDuration(envValue(opts, 'WARMUP') ?? '') + parseDuration(envValue(opts, 'SPIKE') ?? '') / 2;
  } catch {
    log('--kill-instance: WARMUP or SPIKE is not a duration; no instance is killed');
    return;
  }
  if (pid === undefined || !(await runStarted(banner.statsUrl, run))) return;
  const deadline = Date.now() + atMs;
  while (Date.now() < deadline && !exited(run)) await new Promise((r) => setTimeout(r, Math.min(100, deadline - Date.now())));
  if (exited(run)) return;
  log(`SIGKILL ${victim} (pid ${pid}) in the middle of the spike`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    log(`could not kill ${victim}: ${(err as Error).message}`);
  }
}

/** Names the thresholds that failed, from the JSON report. */
function logFailed(json: string): void {
  let report: Report;
  try {
    report = JSON.parse(readFileSync(json, 'utf8')) as Report;
  } catch {
    return;
  }
  for (const t of report.thresholds.filter((x) => !x.passed)) log(`caught by: ${t.key}: ${t.expression} (observed ${t.observed ?? 'no data'}${t.message === undefined ? '' : `; ${t.message}`})`);
}

/** Stops the topology, then makes sure by pid that nothing it started is left. */
async function stopTopology(child: ChildProcess, banner: Banner | undefined): Promise<void> {
  await stopChild(child, 30_000);
  if (banner === undefined) return;
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const [name, pid] of banner.pids) {
    if (!alive(pid)) continue;
    log(`warning: ${name} (pid ${pid}) outlived the topology: SIGKILL`);
    process.kill(pid, 'SIGKILL');
  }
}

/** The topology demo; resolves with the run's exit code. */
export async function demoTopology(opts: TopologyDemoOptions): Promise<number> {
  const { signals } = opts;
  if (opts.twin === 'break-consumer') log('negative twin: the orders consumer is broken (--break consumer): the lag rises and never drains; expect exit 1');
  if (opts.twin === 'kill-instance') log(`negative twin: catalog-${opts.instances} is SIGKILLed mid-spike, the gateway takes it out; expect exit 1`);
  let t0 = Date.now();
  log('making Redis and Kafka available on loopback…');
  const services = await ensureServices({ env: process.env, log: (l) => log(`services: ${l}`) });
  log(`redis ${services.redisUrl}, kafka ${services.kafkaBrokers} (${services.started.length > 0 ? `started ${services.started.join(' and ')}` : 'reused'}, ${seconds(t0)})`);
  let topology: { child: ChildProcess; banner: Banner } | undefined;
  try {
    if (signals.interrupted()) return signals.code();
    t0 = Date.now();
    topology = await startTopologyProcess(opts, services.redisUrl, services.kafkaBrokers);
    const { gatewayUrl, prometheusUrl, pids } = topology.banner;
    log(`topology ready: gateway ${gatewayUrl}, Prometheus ${prometheusUrl}, ${pids.size} processes (${seconds(t0)})`);
    if (opts.twin !== 'break-consumer') {
      t0 = Date.now();
      await waitOrdersFlow(gatewayUrl, READY_TIMEOUT_MS).then(
        () => log(`the order queue flows (${seconds(t0)})`),
        (err: unknown) => log(`warning: the order queue does not flow yet: ${(err as Error).message}`),
      );
    }
    if (signals.interrupted()) return signals.code();
    const base = join(opts.reports, opts.twin === undefined ? opts.name : `${opts.name}-${opts.twin}`);
    const env = [...Object.entries(TOPOLOGY_DEMO_ENV).map(([k, v]) => `${k}=${v}`), `PROMETHEUS_URL=${prometheusUrl}`, ...opts.env];
    const runArgs = [...opts.cli, 'run', opts.scenario, '--target', gatewayUrl, '--out', `${base}.json`, ...env.flatMap((e) => ['--env', e])];
    log(`running ${shown(opts.scenario)} through the gateway, gated on Prometheus…`);
    const line = dieWithParent(process.execPath, runArgs);
    const run = spawn(line.command, line.args, { stdio: 'inherit', detached: true, env: process.env });
    signals.forwardTo(run);
    const killing = opts.twin === 'kill-instance' ? killMidSpike(opts, topology.banner, run).catch((err: unknown) => log(`--kill-instance: ${(err as Error).message}`)) : Promise.resolve();
    const code = await exitCodeOf(run);
    await killing;
    log(`the run ended with exit code ${code} (${MEANING[code] ?? 'see the output above'})`);
    if (code === 1) logFailed(`${base}.json`);
    await writeReports(opts.cli, base);
    return code;
  } finally {
    t0 = Date.now();
    const what = topology === undefined ? '' : `Prometheus, the gateway and ${topology.banner.pids.size - 2} instances`;
    if (topology !== undefined) await stopTopology(topology.child, topology.banner);
    await services.stop();
    const extra = services.started.length > 0 ? `the ${services.started.join(' and ')} started for the demo` : '';
    log(`stopped ${[what, extra].filter((x) => x !== '').join(' and ') || 'nothing'} (${seconds(t0)})`);
  }
}
