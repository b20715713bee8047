/**
 * A real Prometheus on a free loopback port (Debian's `prometheus`, installed when missing and
 * root) with a generated configuration, started and stopped by pid — for `rampart mocks` users and
 * the tests that gate on server-side signals.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, type Started } from './process.js';
import { TOPOLOGY_TOOLS, ensureTopologyTool } from './tool.js';

/** One scrape job. */
export interface ScrapeJob {
  readonly job: string;
  /** `host:port` of each target. */
  readonly targets: readonly string[];
  /** Default `/metrics`. */
  readonly metricsPath?: string;
  /** Pushgateway-style jobs keep the pushed `job`/`instance` labels. */
  readonly honorLabels?: boolean;
}

/** Options of {@link startPrometheus}. */
export interface StartPrometheusOptions {
  readonly jobs: readonly ScrapeJob[];
  /** Scrape and rule evaluation interval, ms. Default 1000. */
  readonly scrapeIntervalMs?: number;
  /** Absolute paths of rule files to load. */
  readonly ruleFiles?: readonly string[];
  /** Longest wait for `/-/ready` and a first scrape of every target, ms. Default 30000. */
  readonly readyTimeoutMs?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  readonly host?: string;
  /** Port to listen on; 0 or absent picks a free one. */
  readonly port?: number;
  /** Progress lines (an apt-get install of the package). */
  readonly log?: (line: string) => void;
}

/** A running Prometheus. */
export interface RunningPrometheus {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  readonly pid: number;
  /** The generated prometheus.yml. */
  readonly config: string;
  /** SIGTERM by pid (SIGKILL after 10 s), then removes its data folder. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL by pid, synchronously (for a process `exit` handler); leaves the data folder. */
  kill(): void;
}

/** The prometheus.yml text for `opts` (pure). */
export function renderPrometheusConfig(opts: StartPrometheusOptions): string {
  const every = `${Math.max(1, Math.round((opts.scrapeIntervalMs ?? 1000) / 1000))}s`;
  const lines = ['global:', `  scrape_interval: ${every}`, `  evaluation_interval: ${every}`];
  if ((opts.ruleFiles?.length ?? 0) > 0) lines.push('rule_files:', ...(opts.ruleFiles ?? []).map((f) => `  - ${JSON.stringify(f)}`));
  lines.push('scrape_configs:');
  for (const j of opts.jobs) {
    lines.push(`  - job_name: ${JSON.stringify(j.job)}`, `    metrics_path: ${JSON.stringify(j.metricsPath ?? '/metrics')}`);
    if (j.honorLabels === true) lines.push('    honor_labels: true');
    lines.push('    static_configs:', `      - targets: [${j.targets.map((t) => JSON.stringify(t)).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Whether Prometheus is ready and has scraped every target once (`up` has a sample per target):
 * it starts scraping a few seconds after it is ready, and a query before that sees no data.
 */
async function scrapedAll(url: string, jobs: readonly ScrapeJob[]): Promise<boolean> {
  const want = jobs.reduce((n, j) => n + j.targets.length, 0);
  try {
    // Bounded: whatever else holds the port may accept and never answer.
    const signal = AbortSignal.timeout(2000);
    if (!(await fetch(`${url}/-/ready`, { signal })).ok) return false;
    const r = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent('count(up)')}`, { signal })).json()) as { data?: { result?: { value?: [number, string] }[] } };
    return Number(r.data?.result?.[0]?.value?.[1] ?? 0) >= want;
  } catch {
    return false;
  }
}

/** Starts Prometheus and resolves once it is ready and has scraped every target once. */
export async function startPrometheus(opts: StartPrometheusOptions): Promise<RunningPrometheus> {
  const bin = ensureTopologyTool(TOPOLOGY_TOOLS.prometheus, { log: opts.log });
  const dir = await mkdtemp(join(tmpdir(), 'rampart-prometheus-'));
  const config = renderPrometheusConfig(opts);
  const cfgPath = join(dir, 'prometheus.yml');
  await writeFile(cfgPath, config);
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port === undefined || opts.port === 0 ? await freePort(host) : opts.port;
  const listen = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const url = `http://${listen}`;
  let proc: Started | undefined;
  const stop = async (): Promise<void> => {
    await proc?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    proc = startProcess(bin, [`--config.file=${cfgPath}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=${listen}`, '--log.level=warn']);
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
    for (;;) {
      if (proc.exited()) throw new Error(`prometheus exited: ${proc.stderr().trim().slice(-2000)}`);
      if (await scrapedAll(url, opts.jobs)) break;
      if (Date.now() > deadline) throw new Error(`prometheus was not ready within ${opts.readyTimeoutMs ?? 30_000} ms: ${proc.stderr().trim().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  const child = proc.child;
  return { url, pid: proc.pid, config, stop: () => (stopping ??= stop()), kill: () => void child.kill('SIGKILL') };
}
