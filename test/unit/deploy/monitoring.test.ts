/**
 * deploy/monitoring: the Prometheus configuration and the rules pass `promtool check config`,
 * `check rules` and the rules' unit tests (`promtool test rules`); the Grafana dashboards are
 * well-formed and point at the provisioned data source.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TOPOLOGY_TOOLS, ensureTopologyTool, monitoringRuleFiles, monitoringRuleTests, monitoringRulesDir } from '../../../mocks/topology/index.js';

const dir = join(import.meta.dirname, '../../../deploy/monitoring');
let bin = '';
// Installing Debian's prometheus (for promtool) when missing may take a while: not inside a test.
beforeAll(() => {
  bin = ensureTopologyTool(TOPOLOGY_TOOLS.promtool);
}, 300_000);
const promtool = (...args: string[]): { code: number | null; out: string } => {
  const r = spawnSync(bin, args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

describe('promtool', () => {
  it('check config: the scrape jobs and the rule file are valid', () => {
    const r = promtool('check', 'config', 'prometheus.yml');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/1 rule files found/);
    const cfg = parse(readFileSync(join(dir, 'prometheus.yml'), 'utf8')) as { scrape_configs: { job_name: string; honor_labels?: boolean }[] };
    expect(cfg.scrape_configs.map((j) => j.job_name)).toEqual(['catalog', 'orders', 'payments', 'gateway', 'rampart', 'pushgateway']);
    expect(cfg.scrape_configs.find((j) => j.job_name === 'pushgateway')?.honor_labels).toBe(true);
  });

  // The rule files `rampart mocks --prometheus` (and so `npm run demo -- --topology`) loads.
  const loaded = monitoringRuleFiles();

  it('the topology loads the rule files of deploy/monitoring/rules, and the unit tests cover each of them', () => {
    expect(monitoringRulesDir()).toBe(join(dir, 'rules'));
    expect(loaded.map((f) => basename(f))).toEqual(['rampart-rules.yml']);
    const tests = monitoringRuleTests();
    expect(tests.map((f) => basename(f))).toEqual(['rampart-rules.test.yml']);
    const covered = tests.flatMap((t) => (parse(readFileSync(t, 'utf8')) as { rule_files: string[] }).rule_files.map((f) => join(dir, 'rules', f)));
    expect(covered.sort()).toEqual(loaded);
  });

  it('check rules: every rule the topology loads parses', () => {
    const r = promtool('check', 'rules', ...loaded);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/SUCCESS: 6 rules found/);
  });

  it('test rules: the alerts fire (and stay quiet) as their unit tests say', () => {
    const r = promtool('test', 'rules', ...monitoringRuleTests());
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/SUCCESS/);
    const rules = parse(readFileSync(join(dir, 'rules/rampart-rules.yml'), 'utf8')) as { groups: { rules: { alert?: string }[] }[] };
    const alerts = rules.groups.flatMap((g) => g.rules.map((x) => x.alert)).filter((a): a is string => a !== undefined);
    const tests = readFileSync(join(dir, 'rules/rampart-rules.test.yml'), 'utf8');
    // Every alert has at least one unit test that expects it to fire.
    for (const a of alerts) expect(tests, a).toMatch(new RegExp(`alertname: ${a}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
  });
});

interface Panel {
  id: number;
  title: string;
  datasource: { uid: string };
  targets: { refId: string; expr: string; datasource: { uid: string } }[];
}

describe('Grafana dashboards', () => {
  for (const file of ['rampart-run.json', 'services.json']) {
    it(`${file}: unique ids, every panel queries the provisioned Prometheus`, () => {
      const d = JSON.parse(readFileSync(join(dir, 'grafana/dashboards', file), 'utf8')) as { uid: string; title: string; panels: Panel[] };
      expect(d.uid).toMatch(/^rampart-/);
      expect(d.panels.length).toBeGreaterThanOrEqual(6);
      expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
      for (const p of d.panels) {
        expect(p.datasource.uid, p.title).toBe('prometheus');
        expect(p.targets.length, p.title).toBeGreaterThan(0);
        for (const t of p.targets) {
          expect(t.expr.trim(), p.title).not.toBe('');
          expect(t.datasource.uid).toBe('prometheus');
        }
      }
    });
  }

  it('the provisioning names the data source uid the dashboards use', () => {
    const ds = parse(readFileSync(join(dir, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: { uid: string; url: string }[] };
    expect(ds.datasources[0]).toMatchObject({ uid: 'prometheus', url: 'http://prometheus:9090' });
  });
});
