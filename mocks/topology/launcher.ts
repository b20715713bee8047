/**
 * The production-like topology on one machine: N instances of each service (one process each, on
 * free loopback ports, sharing Redis and Kafka) behind an HAProxy gateway. Everything it starts it
 * stops by pid.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_NAMES, type MocksConfigInput, type ServiceName } from '../common/index.js';
import { gatewayStats, type ServerStats } from './gateway-stats.js';
import { renderHaproxyConfig, type BalanceMode, type GatewayServer } from './haproxy-config.js';
import { monitoringRuleFiles, topologyScrapeJobs } from './monitoring.js';
import { freePort, startProcess, waitForLine, type Started } from './process.js';
import { startPrometheus, type RunningPrometheus } from './prometheus.js';
import { TOPOLOGY_TOOLS, ensureTopologyTool } from './tool.js';

/** Options of {@link startTopology}. */
export interface TopologyOptions {
  /** Instances per service (1..32). */
  readonly instances: number;
  /** Gateway port; 0 picks a free one. */
  readonly gatewayPort: number;
  /** Port of the gateway's stats page and Prometheus endpoint; default a free one. */
  readonly statsPort?: number;
  /** Interface everything binds to. Default 127.0.0.1. */
  readonly host?: string;
  /** Services to start. Default all three. */
  readonly services?: readonly ServiceName[];
  /** Settings of every instance (host, port and services are set per instance). */
  readonly config?: MocksConfigInput;
  /** Extra settings of one instance (index from 1), e.g. a higher origin latency on catalog-1. */
  readonly instanceConfig?: (service: ServiceName, index: number) => MocksConfigInput | undefined;
  /** Balancing mode. Default roundrobin. */
  readonly balance?: BalanceMode;
  /** Health-check interval, ms (default 500); fall/rise counts (default 2/2). */
  readonly checkIntervalMs?: number;
  readonly fall?: number;
  readonly rise?: number;
  /** Longest wait for every instance to listen and the gateway to report it UP, ms. Default 60000. */
  readonly readyTimeoutMs?: number;
  /**
   * Also start Prometheus (Debian's `prometheus`) once the gateway is up: it scrapes every
   * instance and the gateway's exporter every `scrapeIntervalMs` (default 1000) and loads the
   * rules of deploy/monitoring/rules. `port` 0 or absent picks a free one.
   */
  readonly prometheus?: { readonly port?: number; readonly scrapeIntervalMs?: number };
  /** Environment of the instance processes. Default this process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

/** One instance process. */
export interface TopologyInstance {
  readonly service: ServiceName;
  /** `catalog-1`, … (the HAProxy server name). */
  readonly name: string;
  readonly port: number;
  readonly url: string;
  /** The current process id (changes on restart); undefined while stopped. */
  readonly pid: number | undefined;
  /** Stops it: SIGTERM drains gracefully; SIGKILL simulates a crash. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (after stop). */
  start(): Promise<void>;
}

/** A running topology. */
export interface Topology {
  /** `http://127.0.0.1:<gatewayPort>` */
  readonly gatewayUrl: string;
  /** `http://127.0.0.1:<statsPort>`: `/stats` (HTML, `/stats;csv`), `/metrics` (Prometheus). */
  readonly statsUrl: string;
  readonly haproxyPid: number;
  readonly instances: readonly TopologyInstance[];
  /** The generated haproxy.cfg. */
  readonly haproxyConfig: string;
  /** The Prometheus started with `prometheus` (its `url`, `pid`, generated `config`). */
  readonly prometheus?: RunningPrometheus;
  /** The gateway's view of every server. */
  stats(): Promise<ServerStats[]>;
  /** Resolves once the gateway reports every listed server (default: all) UP. */
  waitUntil(state: 'UP' | 'DOWN', servers?: readonly string[], timeoutMs?: number): Promise<void>;
  /** Stops Prometheus, HAProxy and every instance (SIGTERM, SIGKILL after 10 s). Idempotent. */
  close(): Promise<void>;
}

/** How an instance process is started: compiled JS, or the TypeScript source through tsx. */
function instanceCommand(): string[] {
  const self = import.meta.url;
  if (self.endsWith('.ts')) return ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('./instance-main.ts', self))];
  return [fileURLToPath(new URL('./instance-main.js', self))];
}

/** `over` on top of `base`, merging nested sections (`catalog`, `rateLimit`, …) key by key. */
function merge(base: MocksConfigInput, over: MocksConfigInput): MocksConfigInput {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const plain = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = plain(b) && plain(v) ? { ...b, ...v } : v;
  }
  return out as MocksConfigInput;
}

async function spawnInstance(config: MocksConfigInput, name: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ proc: Started; port: number }> {
  // stdin stays open as a lifeline: the instance stops when this process is gone.
  const proc = startProcess(process.execPath, instanceCommand(), { env: { ...env, RAMPART_INSTANCE_CONFIG: JSON.stringify(config) }, stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    const port = await waitForLine(proc, (l) => /^rampart-instance listening (\d+)$/.exec(l)?.[1], timeoutMs, `instance ${name}`);
    return { proc, port: Number(port) };
  } catch (err) {
    await proc.stop('SIGKILL');
    throw err;
  }
}

/** `waitUntil` of a topology: polls the gateway's stats until the servers are in `state`. */
function gatewayWaiter(gw: Started, statsUrl: string, instances: readonly TopologyInstance[], defaultTimeoutMs: number): Topology['waitUntil'] {
  return async (state, servers, timeoutMs = defaultTimeoutMs) => {
    const want = new Set(servers ?? instances.map((i) => i.name));
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer from the stats endpoint';
    for (;;) {
      if (gw.exited()) throw new Error(`haproxy exited: ${gw.stderr().trim().slice(-2000)}`);
      try {
        const stats = (await gatewayStats(statsUrl)).filter((s) => want.has(s.server));
        const pending = stats.filter((s) => s.status !== state);
        if (stats.length === want.size && pending.length === 0) return;
        last = pending.map((s) => `${s.server} ${s.status}`).join(', ');
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`the gateway did not report ${[...want].join(', ')} ${state} within ${timeoutMs} ms (${last})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
}

/**
 * Starts the instances, then HAProxy in front of them, and waits until the gateway reports every
 * instance UP; with `prometheus`, then starts Prometheus and waits until it has scraped every
 * target. On any failure it stops what it started and rethrows.
 * @throws ToolMissingError when haproxy (or prometheus) is missing and cannot be installed
 */
export async function startTopology(opts: TopologyOptions): Promise<Topology> {
  if (!Number.isInteger(opts.instances) || opts.instances < 1 || opts.instances > 32) throw new Error(`--instances must be an integer from 1 to 32, got ${opts.instances}`);
  const haproxy = ensureTopologyTool(TOPOLOGY_TOOLS.haproxy, { log: opts.log });
  // Missing Prometheus fails (or is installed) before any process starts.
  if (opts.prometheus !== undefined) ensureTopologyTool(TOPOLOGY_TOOLS.prometheus, { log: opts.log });
  const host = opts.host ?? '127.0.0.1';
  const services = opts.services ?? SERVICE_NAMES;
  const env = opts.env ?? process.env;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const procs = new Map<string, Started>();
  const instances: TopologyInstance[] = [];
  let gateway: Started | undefined;
  let prometheus: RunningPrometheus | undefined;
  let dir: string | undefined;
  // Should this process exit without close() (an uncaught error), take the children with it.
  const onExit = (): void => {
    prometheus?.kill();
    gateway?.child.kill('SIGKILL');
    for (const p of procs.values()) p.child.kill('SIGKILL');
  };
  process.once('exit', onExit);
  const stopAll = async (): Promise<void> => {
    process.off('exit', onExit);
    await prometheus?.stop();
    await gateway?.stop();
    await Promise.all([...procs.values()].map((p) => p.stop()));
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  };
  try {
    const specs = services.flatMap((service) => Array.from({ length: opts.instances }, (_, i) => ({ service, index: i + 1, name: `${service}-${i + 1}` })));
    // Started in parallel: each is a Node process that takes a second or two to load. All of them
    // settle before a failure is thrown, so stopAll() sees every process that did start.
    const settled = await Promise.allSettled(
      specs.map(async (s) => {
        const config: MocksConfigInput = { ...merge(opts.config ?? {}, opts.instanceConfig?.(s.service, s.index) ?? {}), host, port: 0, services: [s.service] };
        const r = await spawnInstance(config, s.name, env, readyTimeoutMs);
        procs.set(s.name, r.proc);
        return { ...s, config: { ...config, port: r.port }, port: r.port };
      }),
    );
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const started = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    for (const s of started) {
      instances.push({
        service: s.service,
        name: s.name,
        port: s.port,
        url: `http://${urlHost}:${s.port}`,
        get pid() {
          const p = procs.get(s.name);
          return p === undefined || p.exited() ? undefined : p.pid;
        },
        async stop(signal: NodeJS.Signals = 'SIGTERM') {
          await procs.get(s.name)?.stop(signal);
        },
        async start() {
          const cur = procs.get(s.name);
          if (cur !== undefined && !cur.exited()) throw new Error(`${s.name} is running (pid ${cur.pid})`);
          const r = await spawnInstance(s.config, s.name, env, readyTimeoutMs);
          procs.set(s.name, r.proc);
        },
      });
    }
    const gatewayPort = opts.gatewayPort === 0 ? await freePort(host) : opts.gatewayPort;
    const statsPort = opts.statsPort === undefined || opts.statsPort === 0 ? await freePort(host) : opts.statsPort;
    const backends: Partial<Record<ServiceName, GatewayServer[]>> = {};
    for (const i of instances) (backends[i.service] ??= []).push({ name: i.name, address: `${urlHost}:${i.port}` });
    const haproxyConfig = renderHaproxyConfig({
      bind: `${urlHost}:${gatewayPort}`,
      statsBind: `${urlHost}:${statsPort}`,
      backends,
      balance: opts.balance,
      checkIntervalMs: opts.checkIntervalMs,
      fall: opts.fall,
      rise: opts.rise,
    });
    dir = await mkdtemp(join(tmpdir(), 'rampart-gateway-'));
    const cfgPath = join(dir, 'haproxy.cfg');
    await writeFile(cfgPath, haproxyConfig);
    gateway = startProcess(haproxy, ['-db', '-f', cfgPath]);
    const statsUrl = `http://${urlHost}:${statsPort}`;
    const gw = gateway;
    const waitUntil = gatewayWaiter(gw, statsUrl, instances, readyTimeoutMs);
    await waitUntil('UP');
    opts.log?.(`gateway ${haproxy} pid ${gw.pid} on http://${urlHost}:${gatewayPort}, ${instances.length} instances UP`);
    if (opts.prometheus !== undefined) {
      prometheus = await startPrometheus({
        host,
        port: opts.prometheus.port,
        scrapeIntervalMs: opts.prometheus.scrapeIntervalMs ?? 1000,
        jobs: topologyScrapeJobs(instances, statsUrl),
        ruleFiles: monitoringRuleFiles(),
        readyTimeoutMs: readyTimeoutMs,
        log: opts.log,
      });
      opts.log?.(`prometheus pid ${prometheus.pid} on ${prometheus.url}, scraping ${instances.length} instances and the gateway`);
    }
    let closing: Promise<void> | undefined;
    return {
      gatewayUrl: `http://${urlHost}:${gatewayPort}`,
      statsUrl,
      haproxyPid: gw.pid,
      instances,
      haproxyConfig,
      prometheus,
      stats: () => gatewayStats(statsUrl),
      waitUntil,
      close: () => (closing ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
