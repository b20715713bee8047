/**
 * What the topology's Prometheus loads and scrapes: the project's rule files
 * (`deploy/monitoring/rules`, the same ones `promtool test rules` checks) and one scrape job per
 * service (every instance; the orders instances export the consumer lag KEDA scales on) plus the
 * gateway's exporter, with the job names of deploy/monitoring/prometheus.yml so the rules, the
 * dashboards and scenarios/autoscaling.yaml read the same series here as under compose.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScrapeJob } from './prometheus.js';

/** Where the rules live, relative to the project's root. */
const RULES = join('deploy', 'monitoring', 'rules');

/**
 * The absolute path of `deploy/monitoring/rules`, found upwards from this module (it runs from
 * `mocks/topology` in the sources and from `dist/mocks/topology` when built).
 * @throws Error when no folder above holds it
 */
export function monitoringRulesDir(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, RULES);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`no ${RULES} folder above ${from}: the Prometheus rules ship with rampart's sources`);
  }
}

/** The rule files Prometheus loads: every `*.yml` of the rules folder but the `*.test.yml` unit tests, sorted. */
export function monitoringRuleFiles(dir = monitoringRulesDir()): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !/\.test\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** The rules' unit tests (`promtool test rules <file>`): every `*.test.yml` of the rules folder, sorted. */
export function monitoringRuleTests(dir = monitoringRulesDir()): string[] {
  return readdirSync(dir)
    .filter((f) => /\.test\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** A scraped instance: its service (the job) and its base URL. */
export interface ScrapedInstance {
  readonly service: string;
  readonly url: string;
}

/** One job per service over its instances (in order of first appearance), then `gateway` on the stats port. */
export function topologyScrapeJobs(instances: readonly ScrapedInstance[], statsUrl: string): ScrapeJob[] {
  const byService = new Map<string, string[]>();
  for (const i of instances) {
    const hosts = byService.get(i.service) ?? [];
    hosts.push(new URL(i.url).host);
    byService.set(i.service, hosts);
  }
  return [...[...byService].map(([job, targets]) => ({ job, targets })), { job: 'gateway', targets: [new URL(statsUrl).host] }];
}
