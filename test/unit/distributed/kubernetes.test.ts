/**
 * deploy/kubernetes/rampart.yaml: offline validation of the manifests (test/support/kubernetes.ts:
 * the kubernetes-models schemas, unknown fields, names), plus the cross-checks that make the run work: an Indexed Job whose completion index is the shard, shard
 * and collector agreeing on the count, the scenario in the ConfigMap valid for rampart.
 */
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validateScenario } from '../../../src/scenario/index.js';
import { parseShardSpec } from '../../../src/distributed/identity.js';
import { parseKafkaUrl } from '../../../src/distributed/kafka.js';
import { kubernetesProblems } from '../../support/kubernetes.js';

const root = new URL('../../../', import.meta.url);
interface Obj {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    backoffLimit?: number;
    template: { spec: { containers: { args: string[]; env?: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[]; envFrom?: { configMapRef?: { name: string } }[]; volumeMounts?: { name: string; mountPath: string }[] }[]; volumes?: { name: string; configMap?: { name: string } }[] } };
  };
}

async function manifests(): Promise<Obj[]> {
  const text = await readFile(new URL('deploy/kubernetes/rampart.yaml', root), 'utf8');
  const docs = parseAllDocuments(text);
  for (const d of docs) expect(d.errors).toEqual([]);
  return docs.map((d) => d.toJS() as Obj).filter((o) => o !== null);
}

/** `$(VAR)` expanded as the kubelet does, from the run ConfigMap and the pod's own env. */
function expand(arg: string, vars: Record<string, string>): string {
  return arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => vars[v] ?? m);
}

describe('deploy/kubernetes/rampart.yaml', () => {
  it('every object is valid for Kubernetes (schema, no unknown fields, names)', async () => {
    const objs = await manifests();
    for (const o of objs) expect(kubernetesProblems(o), `${o.kind} ${o.metadata?.name}`).toEqual([]);
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/rampart-run',
      'ConfigMap/rampart-scenario',
      'Job/rampart-collector',
      'Job/rampart-shards',
    ]);
  });

  it('the validation catches a broken Job (the test can fail)', async () => {
    const job = structuredClone((await manifests()).find((o) => o.metadata.name === 'rampart-shards')) as unknown as {
      spec: { completionMode: string; template: { spec: { restartPolicy?: string; containers: Record<string, unknown>[] } } };
    };
    job.spec.completionMode = 'Indexd';
    expect(kubernetesProblems(job).join('\n')).toMatch(/completionMode must be equal to one of the allowed values/);
    job.spec.completionMode = 'Indexed';
    (job.spec.template.spec.containers[0] as Record<string, unknown>).arg = ['run'];
    expect(kubernetesProblems(job)).toEqual(['unknown field /spec/template/spec/containers/0/arg']);
  });

  it('shards are an Indexed Job whose completion index is the shard; the collector expects as many', async () => {
    const objs = await manifests();
    const run = objs.find((o) => o.metadata.name === 'rampart-run')?.data ?? {};
    const shards = objs.find((o) => o.metadata.name === 'rampart-shards');
    const collector = objs.find((o) => o.metadata.name === 'rampart-collector');
    expect(shards?.spec?.completionMode).toBe('Indexed');
    expect(shards?.spec?.completions).toBe(Number(run.SHARDS));
    expect(shards?.spec?.parallelism).toBe(shards?.spec?.completions);
    expect(shards?.spec?.backoffLimit).toBe(0);
    expect(collector?.spec?.backoffLimit).toBe(0);
    const shard = shards?.spec?.template.spec.containers[0];
    const index = shard?.env?.find((e) => e.name === 'SHARD_INDEX');
    expect(index?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    expect(shard?.envFrom?.[0]?.configMapRef?.name).toBe('rampart-run');
    // What the last pod runs, once the kubelet expanded its arguments.
    const args = (shard?.args ?? []).map((a) => expand(a, { ...run, SHARD_INDEX: String(Number(run.SHARDS) - 1) }));
    expect(args[0]).toBe('run');
    expect(parseShardSpec(args[args.indexOf('--shard') + 1] ?? '')).toEqual({ index: 2, count: 3 });
    expect(parseKafkaUrl(args[args.indexOf('--output') + 1] ?? '').topic).toBe('rampart-runs');
    expect(Date.parse(args[args.indexOf('--start-at') + 1] ?? '')).not.toBeNaN();
    const cargs = (collector?.spec?.template.spec.containers[0]?.args ?? []).map((a) => expand(a, run));
    expect(cargs[0]).toBe('collect');
    expect(cargs[cargs.indexOf('--shards') + 1]).toBe(run.SHARDS);
    expect(cargs[cargs.indexOf('--run') + 1]).toBe(args[args.indexOf('--run-id') + 1]);
    expect(cargs[cargs.indexOf('--from') + 1]).toBe(args[args.indexOf('--output') + 1]);
    // Both mount the scenario ConfigMap where their arguments look for it.
    for (const job of [shards, collector]) {
      const c = job?.spec?.template.spec.containers[0];
      const mount = c?.volumeMounts?.find((m) => m.mountPath === '/scenario');
      const vol = job?.spec?.template.spec.volumes?.find((v) => v.name === mount?.name);
      expect(vol?.configMap?.name).toBe('rampart-scenario');
    }
  });

  it('the scenario in the ConfigMap is a valid rampart scenario', async () => {
    const objs = await manifests();
    const text = objs.find((o) => o.metadata.name === 'rampart-scenario')?.data?.['scenario.yaml'] ?? '';
    const dir = await mkdtemp(join(tmpdir(), 'rampart-k8s-'));
    const file = join(dir, 'scenario.yaml');
    await writeFile(file, text);
    const r = await validateScenario(file, { env: {} });
    expect(r.problems).toEqual([]);
    expect(r.plan?.thresholds.length).toBeGreaterThan(0);
  });
});

describe('Dockerfile', () => {
  it('builds the compiled CLI and runs bin/rampart.js', async () => {
    const text = await readFile(new URL('Dockerfile', root), 'utf8');
    expect(text).toMatch(/^FROM node:20/m);
    expect(text).toContain('npm run build');
    expect(text).toMatch(/ENTRYPOINT \["node", "\/app\/bin\/rampart\.js"\]/);
    for (const dir of ['dist', 'bin', 'schemas', 'node_modules']) expect(text).toContain(`./${dir}`);
  });
});
