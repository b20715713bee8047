/**
 * Builds the Plan from a schema-valid scenario document: environments overlaid, defaults applied,
 * durations in ms, templates compiled against the variables in scope, CSV rows loaded. Never
 * mutates the document; every problem is recorded on the context.
 */
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { ERROR_CODES } from '../../errors.js';
import { DEFAULT_FAILURE_BOUNDS, loadModels, type JourneyPlan, type Plan, type SourcePos, type Step } from '../plan.js';
import { didYouMean } from '../suggest.js';
import type { NormContext, Obj } from './context.js';
import { ptr } from './context.js';
import { feeders } from './data.js';
import { httpDefaults } from './http.js';
import { networkSettings } from './network.js';
import { load } from './load.js';
import type { DefaultOf } from './load.js';
import { BUILTIN_ROOTS, VarScope } from './scope.js';
import { collectSets, steps } from './steps.js';
import type { StepEnv } from './steps.js';
import { thresholds } from './thresholds.js';
import { prometheusPlan } from './prometheus.js';
import { kafkaPlan, redisPlan } from './connections.js';

export interface BuildOptions {
  /** Overrides the scenario's target (`--target`). */
  readonly target?: string;
  /** Selects `environments.<name>` (`--environment`). */
  readonly environment?: string;
  /** Absolute path of the scenario file: data files resolve against its directory. */
  readonly path: string;
  /** The environment: HTTP_PROXY / HTTPS_PROXY / NO_PROXY apply when `http.proxy` is not set. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `--no-proxy`: ignore the environment's proxy variables. */
  readonly noProxy?: boolean;
}

type Scalar = string | number | boolean;

export async function buildPlan(ctx: NormContext, doc: Obj, text: string, opts: BuildOptions, def: DefaultOf): Promise<Plan> {
  let target = typeof doc.target === 'string' ? doc.target : undefined;
  const variables: Record<string, Scalar> = { ...((doc.variables as Record<string, Scalar> | undefined) ?? {}) };
  if (opts.environment !== undefined) {
    const envs = (doc.environments as Obj | undefined) ?? {};
    const chosen = Object.hasOwn(envs, opts.environment) ? (envs[opts.environment] as Obj) : undefined;
    if (!chosen) {
      ctx.problem(ERROR_CODES.SEMANTIC, `no environment named \`${opts.environment}\``, '/environments', didYouMean(opts.environment, Object.keys(envs)) ?? (Object.keys(envs).length ? `environments: ${Object.keys(envs).join(', ')}` : 'this scenario declares no `environments`'));
    } else {
      if (typeof chosen.target === 'string') target = chosen.target;
      Object.assign(variables, (chosen.variables as Record<string, Scalar> | undefined) ?? {});
    }
  }
  if (opts.target !== undefined) {
    if (!/^https?:\/\//.test(opts.target)) ctx.problem(ERROR_CODES.USAGE, `--target must be an http:// or https:// URL, got "${opts.target}"`, '');
    target = opts.target;
  }
  for (const [k, v] of Object.entries(variables)) {
    if (typeof v === 'string' && v.includes('{{')) ctx.problem(ERROR_CODES.TEMPLATE, `variable \`${k}\` holds a template; variables are constants`, ptr('/variables', k), 'compute values in a `set` step');
  }
  const secretNames = (doc.secrets as string[] | undefined) ?? [];
  secretNames.forEach((s, i) => {
    if (!Object.hasOwn(variables, s)) ctx.problem(ERROR_CODES.SEMANTIC, `secret \`${s}\` is not a declared variable`, ptr('/secrets', i), didYouMean(s, Object.keys(variables)));
  });

  const data = await feeders(ctx, doc.data as Obj | undefined, opts.path);
  const feeds = new Map(data.map((f) => [f.name, f]));
  const env: StepEnv = {
    ctx,
    feeds,
    baseDir: dirname(opts.path),
    hasTarget: target !== undefined,
    metrics: new Map(),
    protocols: new Set(['kafka', 'redis'].filter((k) => doc[k] !== undefined)),
    names: { steps: new Set(), groups: new Set(), checks: new Set(), methods: new Set(), tagKeys: new Set() },
  };
  const globals = [...Object.keys(variables), ...BUILTIN_ROOTS];
  for (const name of Object.keys((doc.data as Obj | undefined) ?? {})) {
    if (Object.hasOwn(variables, name)) ctx.problem(ERROR_CODES.SEMANTIC, `\`${name}\` is both a variable and a data feeder`, ptr('/data', name), undefined, true);
  }

  // Setup runs first and outside the VUs: it sees variables only; its captures reach everything after.
  const setupScope = new VarScope(Object.keys(variables));
  const setup = steps(env, doc.setup, '/setup', setupScope);
  const shared = [...new Set([...globals, ...setupScope.names(), ...feeds.keys()])];
  const teardown = steps(env, doc.teardown, '/teardown', new VarScope(setupScope.names()));
  const networkSecrets: string[] = [];
  const network = await networkSettings(ctx, doc.http as Obj | undefined, dirname(opts.path), { env: opts.env ?? {}, ...(opts.noProxy === true ? { noProxy: true } : {}) }, networkSecrets);
  const http = { ...httpDefaults(ctx, doc.http as Obj | undefined, def, new VarScope(shared)), ...network };
  const hooks = (list: unknown, pointer: string): Step[] => steps(env, list, pointer, new VarScope(setupScope.names()));
  const loadPlan = load(ctx, doc.load as Obj | Obj[], hooks, def, Array.isArray(doc.journeys) ? (doc.journeys as Obj[]).map((j) => String(j.name)) : []);

  const journeyNames = new Set<string>();
  const journeys: JourneyPlan[] = (doc.journeys as Obj[]).map((j, i) => {
    const at = ptr('/journeys', i);
    const name = String(j.name);
    if (journeyNames.has(name)) ctx.problem(ERROR_CODES.SEMANTIC, `two journeys are named \`${name}\``, ptr(at, 'name'));
    journeyNames.add(name);
    const weight = typeof j.weight === 'number' ? j.weight : (def('journey', 'weight') as number);
    if (weight === 0) ctx.problem(ERROR_CODES.SEMANTIC, 'a journey with weight 0 never runs', ptr(at, 'weight'), 'remove the journey or give it a positive weight');
    const later = new Map<string, SourcePos>();
    collectSets(j.steps, ptr(at, 'steps'), ctx, later);
    const scope = new VarScope(shared).withLater(later);
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries((j.tags as Obj | undefined) ?? {})) {
      tags[k] = String(v);
      env.names.tagKeys.add(k);
    }
    return { name, weight, steps: steps(env, j.steps, ptr(at, 'steps'), scope), tags };
  });

  const phaseNames = loadModels(loadPlan).flatMap((m) => (m.model === 'open' ? m.phases.map((p) => p.name) : m.stages.map((s) => s.name)));
  const thresholdPlans = thresholds(ctx, doc.thresholds as Obj | undefined, {
    customMetrics: new Map(env.metrics),
    tagKeys: env.names.tagKeys,
    tagValues: new Map<string, ReadonlySet<string>>([
      ['journey', journeyNames],
      ['step', env.names.steps],
      ['group', env.names.groups],
      ['check', env.names.checks],
      ['method', env.names.methods],
      ['phase', new Set(phaseNames)],
    ]),
  });

  const mf = doc.maxFailures as Obj | undefined;
  const prometheus = prometheusPlan(ctx, doc.prometheus as Obj | undefined);
  await ctx.checkSelectors();
  const secrets = [...new Set([...secretNames.map((s) => variables[s]).filter((v): v is Scalar => v !== undefined && v !== '').map(String), ...networkSecrets])];
  const kafka = kafkaPlan(ctx, doc.kafka as Obj | undefined, variables, secrets);
  const redis = redisPlan(ctx, doc.redis as Obj | undefined, variables, secrets);
  return {
    name: String(doc.name),
    ...(typeof doc.description === 'string' ? { description: doc.description } : {}),
    source: { file: ctx.file, hash: createHash('sha256').update(text).digest('hex') },
    target: target ?? '',
    http,
    variables,
    secrets,
    data,
    load: loadPlan,
    journeys,
    setup,
    teardown,
    thresholds: thresholdPlans,
    maxFailures: {
      journeys: mf?.journeys !== undefined ? ctx.fraction(mf.journeys, '/maxFailures/journeys') : DEFAULT_FAILURE_BOUNDS.journeys,
      errors: mf?.errors !== undefined ? ctx.fraction(mf.errors, '/maxFailures/errors') : DEFAULT_FAILURE_BOUNDS.errors,
    },
    ...(prometheus !== undefined ? { prometheus } : {}),
    gracefulStopMs: ctx.duration(doc.gracefulStop ?? def('', 'gracefulStop'), '/gracefulStop', false),
    warmUp: doc.warmUp !== false,
    ...(kafka !== undefined ? { kafka } : {}),
    ...(redis !== undefined ? { redis } : {}),
  };
}
