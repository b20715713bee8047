/**
 * The monitoring assets against real data: the gateway topology (one instance of each service
 * behind HAProxy) serves a short `rampart run --prometheus … --pushgateway …`; a real Prometheus
 * with deploy/monitoring's rules scrapes the services, the gateway, the run's live endpoint and the
 * Pushgateway every second. Then every PromQL expression of the Grafana dashboards, the recording
 * rules and the alert rules is executed: a query that Prometheus rejects, or that returns no data,
 * fails the test.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TOPOLOGY_TOOLS, ensureTopologyTool, freePort, startProcess, startPrometheus, startTopology, type RunningPrometheus, type Started, type Topology } from '../../mocks/topology/index.js';
import type { Report } from '../../src/report/model.js';
import { queryInstant } from '../../src/thresholds/prometheus-query.js';
import { runCli, scenarioFile } from '../support/run-helpers.js';
import { dropKeys, topologyConfig } from './topology-support.js';

const monitoring = join(import.meta.dirname, '../../deploy/monitoring');
const config = topologyConfig({ catalog: { originLatencyMs: 2 } });
let topo: Topology;
let prom: RunningPrometheus;
let report: Report;
let pushgateway: Started;

/** `rampart run <file> --prometheus 127.0.0.1:<port>`: the live endpoint Prometheus scrapes during the run. */
async function runWithEndpoint(file: string, dir: string, port: number, pushgateway: string): Promise<Report> {
  const out = join(dir, 'report.json');
  const r = await runCli(['run', file, '--prometheus', `127.0.0.1:${port}`, '--pushgateway', pushgateway, '--out', out, '--quiet'], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(await readFile(out, 'utf8')) as Report;
}

beforeAll(async () => {
  topo = await startTopology({ instances: 1, gatewayPort: 0, config });
  const rampartPort = await freePort();
  const pushPort = await freePort();
  pushgateway = startProcess(ensureTopologyTool(TOPOLOGY_TOOLS.pushgateway), [`--web.listen-address=127.0.0.1:${pushPort}`]);
  for (let i = 0; i < 100 && !(await fetch(`http://127.0.0.1:${pushPort}/-/ready`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
  const target = (name: string): string => new URL(topo.instances.find((i) => i.name === name)?.url ?? '').host;
  prom = await startPrometheus({
    scrapeIntervalMs: 1000,
    ruleFiles: [join(monitoring, 'rules/rampart-rules.yml')],
    jobs: [
      { job: 'catalog', targets: [target('catalog-1')] },
      { job: 'orders', targets: [target('orders-1')] },
      { job: 'payments', targets: [target('payments-1')] },
      { job: 'gateway', targets: [new URL(topo.statsUrl).host] },
      { job: 'rampart', targets: [`127.0.0.1:${rampartPort}`] },
      { job: 'pushgateway', targets: [`127.0.0.1:${pushPort}`], honorLabels: true },
    ],
  });
  const { dir, file } = await scenarioFile(`
name: monitoring
target: ${topo.gatewayUrl}
load:
  phases: [{ duration: 7s, rate: 15 }]
journeys:
  - name: shop
    steps:
      - name: product
        get: /products/{{ random.int(1, 30) }}
        expect: { status: 200 }
      - name: pay
        post: /payments
        json: { amount: 12 }
      - name: order
        post: /orders
        json: { productId: "7", qty: 1 }
        expect: { status: 202 }
thresholds:
  http.errors: ["rate < 5%"]
`);
  report = await runWithEndpoint(file, dir, rampartPort, `http://127.0.0.1:${pushPort}`);
}, 300_000);

afterAll(async () => {
  await pushgateway?.stop();
  await prom?.stop();
  await topo?.close();
  await dropKeys(config.keyPrefix ?? 'none');
});

/** Grafana's interval variables, as the dashboards would get them at a 1 s scrape interval. */
const grafanaVars = (expr: string): string => expr.replace(/\$__rate_interval|\$__interval/g, '15s').replace(/\$__range/g, '5m');

/** The metric names an expression selects (functions, keywords, label matchers and ranges removed). */
export function selectors(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'inf', 'nan']);
  const names = [...stripped.matchAll(/([A-Za-z_:][\w:]*)\s*(\()?/g)].filter((m) => m[2] === undefined && !keywords.has(m[1]?.toLowerCase() ?? '')).map((m) => m[1] as string);
  return [...new Set(names)];
}

async function expectData(expr: string, what: string, timeMs = Date.now()): Promise<void> {
  // A rejected query throws (parse error); an empty answer is "no data".
  const samples = await queryInstant(expr, { url: prom.url, timeMs, timeoutMs: 5000 });
  expect(samples.length, `${what}: no data for ${expr}`).toBeGreaterThan(0);
}

describe('monitoring queries against real data', () => {
  it('the run went through the gateway', () => {
    expect(report.verdict).toBe('passed');
    expect(report.journeys?.[0]?.completed).toBeGreaterThan(80);
  });

  for (const file of ['rampart-run.json', 'services.json']) {
    it(`every query of the ${file} dashboard parses and returns data`, async () => {
      const d = JSON.parse(readFileSync(join(monitoring, 'grafana/dashboards', file), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
      for (const p of d.panels) for (const t of p.targets) await expectData(grafanaVars(t.expr), `${file} › ${p.title}`);
    });
  }

  it('every recording rule returns data; every alert expression parses and every series it selects has data', async () => {
    const rules = parse(readFileSync(join(monitoring, 'rules/rampart-rules.yml'), 'utf8')) as { groups: { rules: { record?: string; alert?: string; expr: string }[] }[] };
    const all = rules.groups.flatMap((g) => g.rules);
    expect(all.length).toBe(6);
    for (const r of all) {
      if (r.record !== undefined) {
        await expectData(r.expr, `rule ${r.record}`);
        await expectData(r.record, `recorded series ${r.record}`);
        continue;
      }
      // An alert's expression is empty while it does not fire: it must parse, and what it reads must exist.
      await queryInstant(r.expr, { url: prom.url, timeMs: Date.now(), timeoutMs: 5000 });
      const names = selectors(r.expr);
      expect(names.length, r.alert).toBeGreaterThan(0);
      for (const name of names) await expectData(name, `alert ${r.alert}`);
    }
  });

  it("the run's metrics arrived both ways: scraped from its live endpoint and pushed through the Pushgateway", async () => {
    // Asked as of the run's last second: once the run has ended, its endpoint is gone and Prometheus
    // marks the scraped series stale at its next scrape, so a query at "now" would race that scrape.
    const duringRun = Date.parse(report.endedAt) - 1000;
    await expectData('rampart_http_requests_total{job="rampart",instance=~"127.0.0.1:.*"}', 'live endpoint', duringRun);
    // honor_labels keeps the pushed group's labels: job rampart, instance = the scenario name.
    await expectData('rampart_http_requests_total{job="rampart",instance="monitoring"}', 'Pushgateway');
    // The final push lands after the run; Prometheus sees it at its next scrape.
    let finished = 0;
    for (let i = 0; i < 50 && finished === 0; i++) {
      finished = (await queryInstant('rampart_run_finished{instance="monitoring"} == 1', { url: prom.url, timeMs: Date.now(), timeoutMs: 5000 })).length;
      if (finished === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(finished, 'the final push (rampart_run_finished 1) reached Prometheus').toBe(1);
  });

  it('the selector extraction finds metric names only', () => {
    expect(selectors('rampart:orders_consumer_lag:sum > 100 and delta(rampart:orders_consumer_lag:sum[2m]) > 0')).toEqual(['rampart:orders_consumer_lag:sum']);
    expect(selectors('max by (instance) (x_state{a="b"}) == 2')).toEqual(['x_state']);
  });
});
