/**
 * docker-compose.yml's topology profile cannot be started here (no Docker); this checks that it
 * holds together: mounted files exist, the gateway's DNS names are network aliases of the
 * replicated services, and Prometheus scrapes names that exist in the compose network.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '../../..');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, any> };
const topology = Object.entries(compose.services).filter(([, s]) => (s.profiles ?? []).includes('topology'));

describe('docker-compose topology profile', () => {
  it('has the replicated services, the gateway and the monitoring stack, all behind the profile', () => {
    expect(topology.map(([n]) => n).sort()).toEqual(['catalog', 'gateway', 'grafana', 'orders', 'payments', 'prometheus', 'pushgateway']);
    for (const s of ['catalog', 'orders', 'payments']) {
      expect(compose.services[s].deploy.replicas, s).toBeGreaterThanOrEqual(3);
      expect(compose.services[s].command.join(' '), s).toContain(`--service ${s}`);
      expect(compose.services[s].networks.default.aliases, s).toEqual([`${s}-pods`]);
    }
    // The default `docker compose up` is unchanged.
    expect(compose.services.mocks.profiles).toBeUndefined();
  });

  it('every bind-mounted file or folder exists', () => {
    for (const [name, s] of topology) {
      for (const v of (s.volumes ?? []) as string[]) {
        const src = v.split(':')[0] as string;
        if (!src.startsWith('./')) continue;
        expect(existsSync(join(root, src)), `${name}: ${src}`).toBe(true);
      }
    }
  });

  it("the gateway resolves the services' aliases, and Prometheus scrapes names that exist", () => {
    const cfg = readFileSync(join(root, 'deploy/gateway/haproxy.cfg'), 'utf8');
    const aliases = new Set(Object.values(compose.services).flatMap((s) => s.networks?.default?.aliases ?? []));
    for (const m of cfg.matchAll(/server-template \S+ \d+ ([a-z-]+):8080/g)) expect(aliases.has(m[1]), m[1]).toBe(true);
    const prom = parse(readFileSync(join(root, 'deploy/monitoring/prometheus.yml'), 'utf8')) as { scrape_configs: { dns_sd_configs?: { names: string[] }[]; static_configs?: { targets: string[] }[] }[] };
    const names = prom.scrape_configs.flatMap((j) => [...(j.dns_sd_configs ?? []).flatMap((d) => d.names), ...(j.static_configs ?? []).flatMap((c) => c.targets.map((t) => t.split(':')[0] as string))]);
    for (const n of names) {
      if (n === 'host.docker.internal') continue;
      expect(Object.keys(compose.services), n).toContain(n);
    }
    expect(compose.services.prometheus.extra_hosts).toContain('host.docker.internal:host-gateway');
  });
});
