/**
 * What the topology's Prometheus scrapes and loads: one job per service over its instances plus the
 * gateway, and the rule files of deploy/monitoring/rules found from the sources or from dist/.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { monitoringRuleFiles, monitoringRuleTests, monitoringRulesDir, renderPrometheusConfig, topologyScrapeJobs } from '../../../mocks/topology/index.js';

describe('topologyScrapeJobs', () => {
  it('one job per service over its instances, in order, then the gateway', () => {
    const jobs = topologyScrapeJobs(
      [
        { service: 'catalog', url: 'http://127.0.0.1:4001' },
        { service: 'orders', url: 'http://127.0.0.1:4002' },
        { service: 'catalog', url: 'http://127.0.0.1:4003' },
        { service: 'payments', url: 'http://[::1]:4004' },
      ],
      'http://127.0.0.1:8404',
    );
    expect(jobs).toEqual([
      { job: 'catalog', targets: ['127.0.0.1:4001', '127.0.0.1:4003'] },
      { job: 'orders', targets: ['127.0.0.1:4002'] },
      { job: 'payments', targets: ['[::1]:4004'] },
      { job: 'gateway', targets: ['127.0.0.1:8404'] },
    ]);
    expect(renderPrometheusConfig({ jobs, ruleFiles: ['/r/a.yml'] })).toContain('rule_files:\n  - "/r/a.yml"\nscrape_configs:\n  - job_name: "catalog"');
  });
});

describe('the rule files', () => {
  it('are found upwards from a nested folder (dist/mocks/topology), unit tests apart', async () => {
    const root = await mkdtemp(join(tmpdir(), 'rampart-rules-'));
    const rules = join(root, 'deploy/monitoring/rules');
    await mkdir(rules, { recursive: true });
    await mkdir(join(root, 'dist/mocks/topology'), { recursive: true });
    for (const f of ['b.yml', 'a.yaml', 'a.test.yml', 'notes.md']) await writeFile(join(rules, f), '');
    const dir = monitoringRulesDir(join(root, 'dist/mocks/topology'));
    expect(dir).toBe(rules);
    expect(monitoringRuleFiles(dir)).toEqual([join(rules, 'a.yaml'), join(rules, 'b.yml')]);
    expect(monitoringRuleTests(dir)).toEqual([join(rules, 'a.test.yml')]);
  });

  it('a folder with none above it is a clear error', async () => {
    const lone = await mkdtemp(join(tmpdir(), 'rampart-no-rules-'));
    expect(() => monitoringRulesDir(lone)).toThrow(/no deploy\/monitoring\/rules folder above .*rampart-no-rules-/);
  });
});
