/**
 * deploy/kubernetes/mocks: every object passes the offline validation of test/support/kubernetes.ts
 * (kubernetes-models and @kubernetes-models/keda schemas, unknown fields, names), and the objects
 * agree with each other — selectors select,
 * autoscalers target existing Deployments, the gateway's configuration is deploy/gateway/haproxy.cfg
 * and resolves the headless Services, KEDA watches the group and topic the services use.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { kubernetesProblems } from '../../support/kubernetes.js';

const dir = join(import.meta.dirname, '../../../deploy/kubernetes/mocks');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;
const objects: { file: string; o: Obj }[] = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
      .map((d) => {
        expect(d.errors, file).toEqual([]);
        return d.toJS() as Obj;
      })
      .filter((o) => o !== null)
      .map((o) => ({ file, o })),
  );
const of = (kind: string): Obj[] => objects.filter((x) => x.o.kind === kind).map((x) => x.o);
const byName = (kind: string, name: string): Obj | undefined => of(kind).find((o) => o.metadata.name === name);
const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('schemas', () => {
  it('has the objects the topology needs', () => {
    expect(of('Deployment').map((d) => d.metadata.name).sort()).toEqual(['catalog', 'gateway', 'orders', 'orders-worker', 'payments']);
    expect(of('HorizontalPodAutoscaler').map((d) => d.metadata.name).sort()).toEqual(['catalog', 'payments']);
    expect(of('ScaledObject').map((d) => d.metadata.name)).toEqual(['orders-worker']);
    expect(of('PodDisruptionBudget')).toHaveLength(5);
  });

  for (const { file, o } of objects) {
    it(`${file}: ${o.kind} ${o.metadata?.name} is valid`, () => {
      expect(kubernetesProblems(o)).toEqual([]);
    });
  }

  it('the validation catches mistakes: a typo in a field, a missing selector, an unquoted KEDA number, a wrong HPA version, a bad name', () => {
    const dep = structuredClone(byName('Deployment', 'catalog'));
    const c = dep.spec.template.spec.containers[0];
    c.readinesProbe = c.readinessProbe;
    delete c.readinessProbe;
    expect(kubernetesProblems(dep)).toEqual(['unknown field /spec/template/spec/containers/0/readinesProbe']);
    delete dep.spec.selector;
    expect(kubernetesProblems(dep).join('\n')).toMatch(/must have required property selector/);
    const so = structuredClone(of('ScaledObject')[0]);
    so.spec.triggers[0].metadata.lagThreshold = 50;
    expect(kubernetesProblems(so)).toEqual(['schema: data/spec/triggers/0/metadata/lagThreshold must be string']);
    const hpa = structuredClone(byName('HorizontalPodAutoscaler', 'catalog'));
    hpa.apiVersion = 'autoscaling/v1';
    expect(kubernetesProblems(hpa)).toContain('unknown field /spec/metrics');
    hpa.apiVersion = 'autoscaling/v3';
    expect(kubernetesProblems(hpa)[0]).toMatch(/^no model for autoscaling\/v3\/HorizontalPodAutoscaler/);
    const svc = structuredClone(byName('Service', 'catalog'));
    svc.metadata.name = 'Catalog_Service';
    expect(kubernetesProblems(svc)[0]).toMatch(/not an RFC 1123 label/);
    const limits = structuredClone(byName('Deployment', 'payments'));
    limits.spec.template.spec.containers[0].resources.limits.cpu = 'two';
    expect(kubernetesProblems(limits).join('\n')).toMatch(/limits\/cpu must match format "quantity"/);
  });

  it('every container requests and limits CPU and memory (the HPA targets a share of the CPU request)', () => {
    for (const d of of('Deployment')) {
      for (const c of d.spec.template.spec.containers) {
        for (const side of ['requests', 'limits']) {
          expect(Object.keys(c.resources?.[side] ?? {}).sort(), `${d.metadata.name} ${c.name} ${side}`).toEqual(['cpu', 'memory']);
        }
      }
    }
  });
});

describe('the objects agree', () => {
  it('every Deployment selects its own pods and every container has probes on its health endpoints', () => {
    for (const d of of('Deployment')) {
      expect(selects(d.spec.selector.matchLabels, d.spec.template.metadata.labels), d.metadata.name).toBe(true);
      for (const c of d.spec.template.spec.containers) {
        if (d.metadata.name === 'orders-worker') continue; // no HTTP: Kubernetes restarts it when it exits
        const ports = new Set(c.ports.map((p: Obj) => p.name));
        for (const p of [c.readinessProbe, c.livenessProbe]) {
          expect(p, `${d.metadata.name} probes`).toBeDefined();
          expect(ports.has((p.httpGet ?? p.tcpSocket).port), `${d.metadata.name} probe port`).toBe(true);
        }
        if (d.metadata.name !== 'gateway') {
          expect(c.readinessProbe.httpGet.path).toBe('/health/ready');
          expect(c.livenessProbe.httpGet.path).toBe('/health/live');
        }
      }
    }
  });

  it('Services and PodDisruptionBudgets select existing pods; autoscalers target existing Deployments', () => {
    const pods = of('Deployment').map((d) => d.spec.template.metadata.labels);
    for (const s of of('Service')) expect(pods.some((l) => selects(s.spec.selector, l)), `Service ${s.metadata.name}`).toBe(true);
    for (const p of of('PodDisruptionBudget')) expect(pods.some((l) => selects(p.spec.selector.matchLabels, l)), `PDB ${p.metadata.name}`).toBe(true);
    for (const a of [...of('HorizontalPodAutoscaler'), ...of('ScaledObject')]) {
      const target = byName('Deployment', a.spec.scaleTargetRef.name);
      expect(target, `${a.kind} ${a.metadata.name}`).toBeDefined();
      const min = a.spec.minReplicas ?? a.spec.minReplicaCount;
      // The PDB must leave room to drain a node at the autoscaler's minimum.
      const pdb = of('PodDisruptionBudget').find((p) => selects(p.spec.selector.matchLabels, target.spec.template.metadata.labels));
      if (pdb?.spec.minAvailable !== undefined) expect(pdb.spec.minAvailable).toBeLessThan(min);
    }
    for (const h of of('HorizontalPodAutoscaler')) expect(h.spec.metrics[0].resource.name).toBe('cpu');
  });

  it('KEDA scales the orders workers on the group and topic the services use, at most one per partition', () => {
    const cfg = byName('ConfigMap', 'mocks-config').data;
    const so = of('ScaledObject')[0];
    const kafka = so.spec.triggers.find((t: Obj) => t.type === 'kafka').metadata;
    expect(kafka.consumerGroup).toBe(cfg.ORDERS_GROUP);
    expect(kafka.topic).toBe(cfg.ORDERS_TOPIC);
    expect(kafka.bootstrapServers).toBe(cfg.KAFKA_BROKERS);
    expect(so.spec.maxReplicaCount).toBeLessThanOrEqual(3); // the orders topic has 3 partitions
  });

  it("the gateway's ConfigMap is deploy/gateway/haproxy.cfg, and its DNS names are headless Services", () => {
    const cfg = byName('ConfigMap', 'gateway-haproxy').data['haproxy.cfg'] as string;
    expect(cfg).toBe(readFileSync(join(dir, '../../gateway/haproxy.cfg'), 'utf8'));
    const hosts = [...cfg.matchAll(/server-template \S+ \d+ ([a-z-]+):(\d+)/g)].map((m) => m[1]);
    expect(hosts).toEqual(['catalog-pods', 'orders-pods', 'payments-pods']);
    for (const h of hosts) expect(byName('Service', h as string)?.spec.clusterIP, h).toBe('None');
  });
});
