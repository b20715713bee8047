/**
 * Live Prometheus output: `--prometheus 127.0.0.1:9464` serves `/metrics` for a scrape while the run
 * goes (prom-client exposition, its own Registry, never the global one), and `--pushgateway URL`
 * pushes the same metrics after each interval and once more at the end (PUT, job `rampart`,
 * grouping `instance=<scenario name>`), so a Grafana board can follow a run. The metric families
 * are described in prometheus-families.ts; on top of them:
 * - `rampart_run_info{run_id,scenario,target}` 1, `rampart_run_elapsed_seconds`,
 *   `rampart_run_phase{phase}` 1 for the current phase, `rampart_run_finished` 0/1,
 *   `rampart_run_verdict{verdict}` 1 once finished;
 * - `rampart_target_arrival_rate` (open model, arrivals/s) or `rampart_target_vus` (closed model);
 * - `rampart_threshold_passing{threshold}` 1/0 and `rampart_thresholds_failing`.
 * The endpoint stays up until {@link PrometheusOutput.close} (the CLI closes it after the run).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pushgateway, Registry, type Metric } from 'prom-client';
import { UsageError } from '../errors.js';
import { metricFamilies, type BucketCache, type Family, type FamilyType } from './prometheus-families.js';
import type { IntervalUpdate, Output, Report, RunInfo } from './model.js';
import type { ThresholdResult } from '../thresholds/judge/types.js';

/** Where to listen: `host:port`, `:port` (every interface), `[::1]:port`. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `--prometheus`. `:9464` listens on every interface (0.0.0.0) so a Prometheus elsewhere can
 * scrape; give `127.0.0.1:9464` to keep it local. Port 0 picks a free port.
 * @throws UsageError on anything else.
 */
export function parseListen(spec: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(spec.trim());
  const port = Number(m?.[3]);
  if (!m || !(port >= 0 && port <= 65535)) throw new UsageError(`--prometheus expects HOST:PORT or :PORT (e.g. 127.0.0.1:9464), got "${spec}"`);
  const host = m[1] ?? (m[2] === '' || m[2] === undefined ? '0.0.0.0' : m[2]);
  return { host, port };
}

export interface PrometheusOptions {
  /** Serve `/metrics` here. */
  readonly listen?: ListenAddress;
  /** Push to this Pushgateway base URL (e.g. `http://127.0.0.1:9091`). */
  readonly pushgateway?: string;
  /** The Pushgateway job. Default `rampart`. */
  readonly job?: string;
  /** Failed pushes and scrapes are reported here (once per distinct message); the run goes on. */
  readonly onWarning?: (message: string) => void;
}

export interface PrometheusOutput extends Output {
  /** Binds the endpoint (before the run, so a busy port stops it before any load). */
  open(): Promise<void>;
  /** `http://host:port/metrics` once open. */
  readonly url: string | undefined;
  /** The exposition text as a scrape would see it now. */
  metrics(): Promise<string>;
  /** Waits for the last push and closes the endpoint. */
  close(): Promise<void>;
}

interface State {
  info?: RunInfo;
  last?: IntervalUpdate;
  thresholds: readonly ThresholdResult[];
  report?: Report;
}

function family(name: string, type: FamilyType, help: string, samples: Family['samples']): Family {
  return { name, type, help, samples };
}

function runFamilies(s: State): Family[] {
  const out: Family[] = [];
  const i = s.info;
  if (i) out.push(family('rampart_run_info', 'gauge', 'the run: id, scenario and target (value 1)', [{ labels: { run_id: i.runId, scenario: i.scenarioName, target: i.target }, value: 1 }]));
  const u = s.last;
  const elapsed = s.report ? s.report.durationMs : (u?.offsetMs ?? 0);
  out.push(family('rampart_run_elapsed_seconds', 'gauge', 'seconds since the run started', [{ labels: {}, value: elapsed / 1000 }]));
  if (u) out.push(family('rampart_run_phase', 'gauge', 'the current phase (value 1)', [{ labels: { phase: u.phase }, value: 1 }]));
  out.push(family('rampart_run_finished', 'gauge', '1 once the run has ended', [{ labels: {}, value: s.report ? 1 : 0 }]));
  if (s.report) out.push(family('rampart_run_verdict', 'gauge', 'the final verdict (value 1)', [{ labels: { verdict: s.report.verdict }, value: 1 }]));
  if (u?.targetRate !== undefined) out.push(family('rampart_target_arrival_rate', 'gauge', 'planned arrivals per second now (open model)', [{ labels: {}, value: u.targetRate }]));
  if (u?.targetVus !== undefined) out.push(family('rampart_target_vus', 'gauge', 'planned virtual users now (closed model)', [{ labels: {}, value: u.targetVus }]));
  if (s.thresholds.length > 0) {
    const samples = s.thresholds.map((t) => ({ labels: { threshold: `${t.key}: ${t.expression}` }, value: t.passed ? 1 : 0 }));
    out.push(family('rampart_threshold_passing', 'gauge', 'each threshold: 1 passing, 0 failing (live evaluation)', samples));
    out.push(family('rampart_thresholds_failing', 'gauge', 'thresholds failing now', [{ labels: {}, value: s.thresholds.filter((t) => !t.passed).length }]));
  }
  return out;
}

/** A prom-client metric whose values are computed elsewhere. */
function asMetric(f: Family): Metric {
  const get = async (): Promise<unknown> => ({
    name: f.name,
    help: f.help,
    type: f.type,
    aggregator: 'sum',
    values: f.samples.map((x) => ({ metricName: x.name ?? f.name, labels: x.labels, value: x.value })),
  });
  return { name: f.name, help: f.help, type: f.type, aggregator: 'sum', get, reset: () => undefined } as unknown as Metric;
}

/** The Prometheus output. Nothing is bound until {@link PrometheusOutput.open}. */
export function prometheusOutput(opts: PrometheusOptions): PrometheusOutput {
  const registry = new Registry();
  const state: State = { thresholds: [] };
  const buckets: BucketCache = new Map();
  const warned = new Set<string>();
  const warn = (m: string): void => {
    if (warned.has(m)) return;
    warned.add(m);
    opts.onWarning?.(m);
  };
  let server: Server | undefined;
  let url: string | undefined;
  let pushing: Promise<void> | undefined;
  let pushAgain = false;
  const gateway = opts.pushgateway !== undefined ? new Pushgateway(opts.pushgateway, { timeout: 5000 }, registry) : undefined;

  const refresh = (): void => {
    registry.clear();
    const fams = [...runFamilies(state), ...(state.last || state.report ? metricFamilies(state.last?.cumulative ?? { startMs: 0, endMs: 0, series: [] }, state.last?.interval, buckets).values() : [])];
    for (const f of fams) registry.registerMetric(asMetric(f));
  };
  const metrics = async (): Promise<string> => {
    refresh();
    return registry.metrics();
  };

  const pushOnce = async (): Promise<void> => {
    if (!gateway) return;
    refresh();
    try {
      const res = await gateway.push({ jobName: opts.job ?? 'rampart', groupings: { instance: state.info?.scenarioName ?? 'rampart' } });
      const status = (res.resp as { statusCode?: number } | undefined)?.statusCode;
      if (status !== undefined && status >= 400) warn(`pushgateway ${opts.pushgateway}: HTTP ${status}`);
    } catch (err) {
      warn(`pushgateway ${opts.pushgateway}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  // One push in flight at most; updates arriving meanwhile collapse into one more push.
  const push = (): Promise<void> => {
    if (!gateway) return Promise.resolve();
    if (pushing) {
      pushAgain = true;
      return pushing;
    }
    pushing = (async (): Promise<void> => {
      do {
        pushAgain = false;
        await pushOnce();
      } while (pushAgain);
      pushing = undefined;
    })();
    return pushing;
  };

  return {
    name: 'prometheus',
    get url() {
      return url;
    },
    async open(): Promise<void> {
      if (!opts.listen || server) return;
      const srv = createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { allow: 'GET, HEAD' }).end();
          return;
        }
        if (path !== '/metrics') {
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('rampart: metrics are at /metrics\n');
          return;
        }
        metrics().then(
          (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
          (err: unknown) => {
            warn(`prometheus endpoint: ${err instanceof Error ? err.message : String(err)}`);
            res.writeHead(500).end();
          },
        );
      });
      const { host, port } = opts.listen;
      await new Promise<void>((resolve, reject) => {
        srv.once('error', (err: NodeJS.ErrnoException) => reject(new UsageError(`--prometheus: cannot listen on ${host}:${port}: ${err.code ?? err.message}`)));
        srv.listen(port, host, () => resolve());
      });
      srv.on('error', (err) => warn(`prometheus endpoint: ${err.message}`));
      server = srv;
      const addr = srv.address() as AddressInfo;
      const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      url = `http://${shown === '0.0.0.0' ? '127.0.0.1' : shown}:${addr.port}/metrics`;
    },
    metrics,
    start(info: RunInfo): void {
      state.info = info;
      void push();
    },
    interval(update: IntervalUpdate): void {
      state.last = update;
      state.thresholds = update.thresholds;
      void push();
    },
    async end(report: Report): Promise<void> {
      state.report = report;
      state.thresholds = report.thresholds;
      await push();
    },
    async close(): Promise<void> {
      await pushing;
      const srv = server;
      server = undefined;
      if (srv) {
        srv.closeAllConnections();
        await new Promise<void>((resolve) => srv.close(() => resolve()));
      }
    },
  };
}
