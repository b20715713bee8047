/** The load: open model (phases), closed model (VUs, stages, iterations), or several named blocks of either. */
import { ERROR_CODES } from '../../errors.js';
import type { ClosedStage, LoadBlock, LoadModel, LoadPlan, OpenPhase, Step } from '../plan.js';
import type { NormContext, Obj } from './context.js';
import { ptr } from './context.js';

/** Normalizes phase/stage hook steps (run outside journeys). */
export type HookSteps = (list: unknown, pointer: string) => Step[];

/** Default of a schema property (the schema is the source of truth for defaults). */
export type DefaultOf = (def: string, prop: string) => unknown;

/**
 * `journeys`: the scenario's journey names, which blocks must name. In blocks, a phase or stage
 * without a name is called `<block>-<n>`, and every phase name of the scenario is distinct (it is
 * the `phase` tag).
 */
export function load(ctx: NormContext, l: Obj | Obj[], hooks: HookSteps, def: DefaultOf, journeys: readonly string[]): LoadPlan {
  if (!Array.isArray(l)) return model(ctx, l, hooks, def, '/load', '');
  const blocks: LoadBlock[] = [];
  const blockNames = new Set<string>();
  const used = new Set<string>();
  const phaseNames = new Set<string>();
  l.forEach((b, i) => {
    const at = ptr('/load', i);
    const name = String(b.name);
    if (blockNames.has(name)) ctx.problem(ERROR_CODES.SEMANTIC, `two load blocks are named \`${name}\``, ptr(at, 'name'));
    blockNames.add(name);
    const names = Array.isArray(b.journeys) ? b.journeys.map(String) : [];
    names.forEach((j, k) => {
      if (!journeys.includes(j)) ctx.problem(ERROR_CODES.SEMANTIC, `no journey is named \`${j}\``, ptr(at, 'journeys', k), `journeys: ${journeys.join(', ')}`);
      used.add(j);
    });
    const { name: _n, journeys: _j, ...rest } = b;
    const m = model(ctx, rest, hooks, def, at, `${name}-`);
    const list = m.model === 'open' ? m.phases : m.stages;
    const key = m.model === 'open' ? 'phases' : 'stages';
    list.forEach((p, k) => {
      if (phaseNames.has(p.name)) ctx.problem(ERROR_CODES.SEMANTIC, `the phase name \`${p.name}\` is used by two load blocks: it is the \`phase\` tag, so it must be unique`, Array.isArray(rest[key]) ? ptr(at, key, k, 'name') : at);
      phaseNames.add(p.name);
    });
    blocks.push({ name, journeys: names, load: m });
  });
  for (const j of journeys) {
    if (!used.has(j)) ctx.problem(ERROR_CODES.SEMANTIC, `journey \`${j}\` is in no load block: it would never run`, '/load', 'add it to the `journeys` of a block, or remove it');
  }
  return { model: 'blocks', blocks };
}

/** One model, at `base` (`/load` or `/load/<i>`); unnamed phases and stages are called `<prefix>phase-<n>`. */
function model(ctx: NormContext, l: Obj, hooks: HookSteps, def: DefaultOf, base: string, prefix: string): LoadModel {
  if (Array.isArray(l.phases)) return open(ctx, l, hooks, def, base, prefix);
  return closed(ctx, l, hooks, def, base, prefix);
}

function open(ctx: NormContext, l: Obj, hooks: HookSteps, def: DefaultOf, base: string, prefix: string): LoadModel {
  const phases: OpenPhase[] = (l.phases as Obj[]).map((p, i) => {
    const at = ptr(base, 'phases', i);
    const name = typeof p.name === 'string' ? p.name : `${prefix}phase-${i + 1}`;
    const hook = { onStart: hooks(p.onStart, ptr(at, 'onStart')), onEnd: hooks(p.onEnd, ptr(at, 'onEnd')) };
    if (Object.hasOwn(p, 'pause')) {
      for (const k of ['duration', 'rate', 'rampTo', 'arrivals']) {
        if (Object.hasOwn(p, k)) ctx.problem(ERROR_CODES.SEMANTIC, `a pause phase has no \`${k}\``, ptr(at, k), '`pause: 10s` alone is a phase without arrivals', true);
      }
      return { name, durationMs: ctx.duration(p.pause, ptr(at, 'pause')), rate: 0, pause: true, ...hook };
    }
    if (!Object.hasOwn(p, 'duration')) ctx.problem(ERROR_CODES.SCHEMA, 'missing required key `duration`', at, 'or write `pause: <duration>` for a phase without arrivals');
    const durationMs = Object.hasOwn(p, 'duration') ? ctx.duration(p.duration, ptr(at, 'duration')) : 0;
    const hasRate = Object.hasOwn(p, 'rate');
    const hasArrivals = Object.hasOwn(p, 'arrivals');
    if (Object.hasOwn(p, 'rampTo') && !hasRate) {
      ctx.problem(ERROR_CODES.SEMANTIC, '`rampTo` needs a `rate` to ramp from', ptr(at, 'rampTo'), 'add `rate: 0` to ramp up from nothing', true);
    }
    if (hasRate && hasArrivals) ctx.problem(ERROR_CODES.SEMANTIC, 'a phase has `rate` or `arrivals`, not both', ptr(at, 'arrivals'), undefined, true);
    if (!hasRate && !hasArrivals && !Object.hasOwn(p, 'rampTo')) ctx.problem(ERROR_CODES.SEMANTIC, 'a phase needs `rate` (arrivals per second), `arrivals` or `pause`', at);
    if (hasRate && p.rate === 0 && (p.rampTo === undefined || p.rampTo === 0)) {
      ctx.problem(ERROR_CODES.SEMANTIC, 'a phase with rate 0 and no rampTo sends nothing', ptr(at, 'rate'), 'write `pause: <duration>` for a phase without arrivals');
    }
    const fields = { name, durationMs, rate: hasRate ? Number(p.rate) : 0, pause: false, ...hook };
    if (hasArrivals) return { ...fields, arrivals: Number(p.arrivals) };
    return Object.hasOwn(p, 'rampTo') ? { ...fields, rampTo: Number(p.rampTo) } : fields;
  });
  const names = new Set<string>();
  phases.forEach((p, i) => {
    if (names.has(p.name)) ctx.problem(ERROR_CODES.SEMANTIC, `two phases are named \`${p.name}\``, ptr(base, 'phases', i, 'name'));
    names.add(p.name);
  });
  return {
    model: 'open',
    phases,
    maxVus: typeof l.maxVus === 'number' ? l.maxVus : (def('openLoad', 'maxVus') as number),
    spacing: (l.spacing ?? def('openLoad', 'spacing')) as 'uniform' | 'poisson',
  };
}

function closed(ctx: NormContext, l: Obj, hooks: HookSteps, def: DefaultOf, base: string, prefix: string): LoadModel {
  const startVus = typeof l.vus === 'number' ? l.vus : (def('closedLoad', 'vus') as number);
  const hasStages = Array.isArray(l.stages);
  const hasDuration = Object.hasOwn(l, 'duration');
  const iterations = typeof l.iterations === 'number' ? l.iterations : undefined;
  const iterationsPerVu = typeof l.iterationsPerVu === 'number' ? l.iterationsPerVu : undefined;
  if (!Object.hasOwn(l, 'vus') && !hasStages && !hasDuration && iterations === undefined && iterationsPerVu === undefined) {
    ctx.problem(ERROR_CODES.SCHEMA, 'the load needs a model: `phases` (open) or `vus` with `duration`/`stages`/`iterations` (closed)', base);
  }
  if (hasStages && hasDuration) ctx.problem(ERROR_CODES.SEMANTIC, '`duration` is a shorthand for one stage: give `duration` or `stages`, not both', ptr(base, 'duration'), undefined, true);
  if (Object.hasOwn(l, 'maxDuration') && (hasStages || hasDuration)) {
    ctx.problem(ERROR_CODES.SEMANTIC, '`maxDuration` applies to iteration-based runs without `duration`/`stages`', ptr(base, 'maxDuration'), undefined, true);
  }
  let stages: ClosedStage[];
  if (hasStages) {
    stages = (l.stages as Obj[]).map((s, i) => {
      const at = ptr(base, 'stages', i);
      return {
        name: typeof s.name === 'string' ? s.name : `${prefix}stage-${i + 1}`,
        durationMs: ctx.duration(s.duration, ptr(at, 'duration')),
        target: Number(s.target),
        onStart: hooks(s.onStart, ptr(at, 'onStart')),
        onEnd: hooks(s.onEnd, ptr(at, 'onEnd')),
      };
    });
    if (startVus === 0 && stages.every((s) => s.target === 0)) ctx.problem(ERROR_CODES.SEMANTIC, 'every stage targets 0 VUs: nothing would run', ptr(base, 'stages'));
  } else {
    const limited = iterations !== undefined || iterationsPerVu !== undefined;
    if (!hasDuration && !limited && Object.hasOwn(l, 'vus')) {
      ctx.problem(ERROR_CODES.SEMANTIC, 'a closed model needs `duration`, `stages`, `iterations` or `iterationsPerVu`', base);
    }
    const durationMs = hasDuration ? ctx.duration(l.duration, ptr(base, 'duration')) : ctx.duration(l.maxDuration ?? def('closedLoad', 'maxDuration'), ptr(base, 'maxDuration'));
    if (startVus === 0) ctx.problem(ERROR_CODES.SEMANTIC, '`vus` is 0: nothing would run', ptr(base, 'vus'));
    stages = [{ name: `${prefix}stage-1`, durationMs, target: startVus, onStart: [], onEnd: [] }];
  }
  return {
    model: 'closed',
    startVus,
    stages,
    ...(iterations !== undefined ? { iterations } : {}),
    ...(iterationsPerVu !== undefined ? { iterationsPerVu } : {}),
  };
}
