/**
 * deploy/monitoring: the Prometheus configuration and the rules pass `promtool check config`,
 * `check rules` and the rules' unit tests (`promtool test rules`); the Grafana dashboards are
 * well-formed and point at the provisioned data source.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TOPOLOGY_TOOLS, ensureTopologyTool } from '../../../mocks/topology/index.js';

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

  it('check rules: every rule parses', () => {
    const r = promtool('check', 'rules', 'rules/rampart-rules.yml');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/SUCCESS: 6 rules found/);
  });

  it('test rules: the alerts fire (and stay quiet) as their unit tests say', () => {
    const r = promtool('test', 'rules', 'rules/rampart-rules.test.yml');
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
