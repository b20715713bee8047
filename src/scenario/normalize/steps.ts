/** Steps: requests, think, loop, if, poll, ws, group, log, metric, set → the Plan's Step union. */
import { ERROR_CODES } from '../../errors.js';
import type { Step, Template, TemplateValue } from '../plan.js';
import type { NormContext, Obj } from './context.js';
import { get, ptr } from './context.js';
import { condition, matchers } from './matchers.js';
import type { VarScope } from './scope.js';
import { protocolStepKind } from './step-kinds.js';
import { wsStep } from './ws.js';
import { entries, type StepEnv } from './step-env.js';
import { METHODS, request } from './request-step.js';

export type { StepEnv } from './step-env.js';

/** Names a list of steps sets (captures, `set`, loop variables), with where: for "used before set". */
export function collectSets(steps: unknown, base: string, ctx: NormContext, into: Map<string, ReturnType<NormContext['sourcePos']>>): void {
  if (!Array.isArray(steps)) return;
  steps.forEach((s: unknown, i) => {
    const at = ptr(base, i);
    const add = (name: string, p: string): void => {
      if (!into.has(name)) into.set(name, ctx.sourcePos(p));
    };
    for (const [name] of entries(get(s, 'capture'))) add(name, ptr(at, 'capture', name));
    for (const [name] of entries(get(get(s, 'poll'), 'capture'))) add(name, ptr(at, 'poll', 'capture', name));
    for (const [name] of entries(get(s, 'set'))) add(name, ptr(at, 'set', name));
    for (const k of ['steps', 'then', 'else', 'parallel']) collectSets(get(s, k), ptr(at, k), ctx, into);
  });
}

/** Normalizes a list of steps in order, growing `scope` with what each step sets. */
export function steps(env: StepEnv, list: unknown, base: string, scope: VarScope, group?: string): Step[] {
  if (!Array.isArray(list)) return [];
  return list.map((s, i) => step(env, s as Obj, ptr(base, i), scope, group));
}

function step(env: StepEnv, s: Obj, at: string, scope: VarScope, group: string | undefined): Step {
  const { ctx } = env;
  const pos = ctx.sourcePos(at);
  if (METHODS.some((m) => Object.hasOwn(s, m.toLowerCase()))) {
    const req = request(env, s, at, scope, typeof s.name === 'string' ? s.name : undefined);
    for (const c of req.captures) scope.add(c.as);
    return req;
  }
  const protocol = protocolStepKind(s);
  if (protocol !== undefined) return protocol(env, s, at, scope);
  if (Object.hasOwn(s, 'think')) {
    const t = s.think;
    const tp = ptr(at, 'think');
    if (typeof t === 'string') {
      const ms = ctx.duration(t, tp);
      return { kind: 'think', minMs: ms, maxMs: ms, pos };
    }
    const o = t as Obj;
    if (Object.hasOwn(o, 'min')) {
      const minMs = ctx.duration(o.min, ptr(tp, 'min'), false);
      const maxMs = ctx.duration(o.max, ptr(tp, 'max'));
      if (minMs > maxMs) ctx.problem(ERROR_CODES.SEMANTIC, '`min` is longer than `max`', ptr(tp, 'min'));
      return { kind: 'think', minMs, maxMs, pos };
    }
    const d = ctx.duration(o.duration, ptr(tp, 'duration'));
    const j = Object.hasOwn(o, 'jitter') ? ctx.fraction(o.jitter, ptr(tp, 'jitter')) : 0;
    return { kind: 'think', minMs: Math.round(d * (1 - j)), maxMs: Math.round(d * (1 + j)), pos };
  }
  if (Object.hasOwn(s, 'loop')) return loop(env, s, at, scope, group);
  if (Object.hasOwn(s, 'if')) {
    const cond = condition(ctx, s.if as Obj, ptr(at, 'if'), scope);
    const a = scope.fork();
    const b = scope.fork();
    const then = steps(env, s.then, ptr(at, 'then'), a, group);
    const otherwise = steps(env, s.else, ptr(at, 'else'), b, group);
    scope.merge(a);
    scope.merge(b);
    return { kind: 'if', condition: cond, then, else: otherwise, pos };
  }
  if (Object.hasOwn(s, 'poll')) {
    const p = s.poll as Obj;
    const pp = ptr(at, 'poll');
    const method = METHODS.find((m) => Object.hasOwn(p, m.toLowerCase()));
    const name = typeof s.name === 'string' ? s.name : `poll ${method ?? 'GET'} ${String(p[(method ?? 'GET').toLowerCase()] ?? '')}`;
    if (!method) ctx.problem(ERROR_CODES.SCHEMA, 'a poll needs a request: get, post, put, patch, delete, head or options', pp);
    const req = request(env, { ...p, name }, pp, scope, name, method ?? 'GET');
    const until = matchers(ctx, p.until as Obj, ptr(pp, 'until'), scope);
    for (const c of req.captures) scope.add(c.as);
    const everyMs = ctx.duration(p.every ?? '1s', ptr(pp, 'every'));
    const timeoutMs = ctx.duration(p.timeout ?? '30s', ptr(pp, 'timeout'));
    if (everyMs > 0 && timeoutMs > 0 && everyMs > timeoutMs) ctx.problem(ERROR_CODES.SEMANTIC, '`every` is longer than `timeout`: the poll would try once', ptr(pp, 'every'));
    return { kind: 'poll', name, request: req, until, everyMs, timeoutMs, pos };
  }
  if (Object.hasOwn(s, 'ws')) return wsStep(env, s, at, scope);
  if (Object.hasOwn(s, 'group')) {
    const name = String(s.group);
    const full = group ? `${group}::${name}` : name;
    env.names.groups.add(full);
    return { kind: 'group', name, steps: steps(env, s.steps, ptr(at, 'steps'), scope, full), pos };
  }
  if (Object.hasOwn(s, 'parallel')) {
    // Every request sees what was known before the step, none another's captures; the steps after see all.
    const list = Array.isArray(s.parallel) ? (s.parallel as Obj[]) : [];
    const branches = list.map(() => scope.fork());
    const requests = list.map((r, i) => {
      const p = ptr(at, 'parallel', i);
      const req = request(env, r, p, branches[i] as VarScope, typeof r.name === 'string' ? r.name : undefined);
      for (const c of req.captures) (branches[i] as VarScope).add(c.as);
      return req;
    });
    for (const b of branches) scope.merge(b);
    const names = new Set<string>();
    requests.forEach((r, i) => {
      if (names.has(r.name)) ctx.problem(ERROR_CODES.SEMANTIC, `two requests of this parallel step are named \`${r.name}\`: their metrics would mix`, ptr(at, 'parallel', i), 'give each a `name`');
      names.add(r.name);
    });
    return { kind: 'parallel', requests, pos };
  }
  if (Object.hasOwn(s, 'log')) return { kind: 'log', message: ctx.template(String(s.log), ptr(at, 'log'), scope), pos };
  if (Object.hasOwn(s, 'metric')) {
    const m = s.metric as Obj;
    const mp = ptr(at, 'metric');
    const type = m.type as 'counter' | 'rate' | 'trend';
    const name = String(m.name);
    const prev = env.metrics.get(name);
    if (prev !== undefined && prev !== type) ctx.problem(ERROR_CODES.SEMANTIC, `metric \`${name}\` is a ${prev} elsewhere; one name has one type`, ptr(mp, 'type'));
    env.metrics.set(name, type);
    if (!Object.hasOwn(m, 'value') && type === 'trend') ctx.problem(ERROR_CODES.SEMANTIC, 'a trend needs a `value` (e.g. a captured number)', mp);
    const raw = Object.hasOwn(m, 'value') ? m.value : type === 'rate' ? true : 1;
    const tags: Record<string, string> = {};
    const tagTemplates: (readonly [string, Template])[] = [];
    for (const [k, v] of entries(m.tags)) {
      env.names.tagKeys.add(k);
      const t = ctx.template(String(v), ptr(mp, 'tags', k), scope);
      if (t.parts.every((x) => typeof x === 'string')) tags[k] = t.parts.join('');
      else tagTemplates.push([k, t]);
    }
    const value = ctx.templateValue(raw, ptr(mp, 'value'), scope);
    return { kind: 'metric', metric: name, type, value, tags, ...(tagTemplates.length > 0 ? { tagTemplates } : {}), pos };
  }
  // set
  const vars: (readonly [string, TemplateValue])[] = [];
  for (const [k, v] of entries(s.set)) vars.push([k, ctx.templateValue(v, ptr(at, 'set', k), scope)]);
  for (const [k] of vars) scope.add(k);
  return { kind: 'set', vars, pos };
}

function loop(env: StepEnv, s: Obj, at: string, scope: VarScope, group: string | undefined): Step {
  const { ctx } = env;
  const lp = ptr(at, 'loop');
  const pos = ctx.sourcePos(at);
  const body = scope.fork();
  let count: number | undefined;
  let over: TemplateValue | undefined;
  let as = 'item';
  if (typeof s.loop === 'number') count = s.loop;
  else {
    const o = s.loop as Obj;
    if (typeof o.as === 'string') as = o.as;
    const hasCount = Object.hasOwn(o, 'count');
    const hasOver = Object.hasOwn(o, 'over');
    if (hasCount === hasOver) ctx.problem(ERROR_CODES.SEMANTIC, hasCount ? 'a loop has `count` or `over`, not both' : 'a loop needs `count` or `over`', lp);
    if (hasCount) count = Number(o.count);
    if (hasOver) {
      const ov = o.over;
      const op = ptr(lp, 'over');
      const feedName = get(ov, 'data');
      if (typeof feedName === 'string') {
        const feed = env.feeds.get(feedName);
        if (!feed) ctx.problem(ERROR_CODES.SEMANTIC, `no data feeder named \`${feedName}\``, ptr(op, 'data'));
        over = {
          kind: 'array',
          items: (feed?.rows ?? []).map((row) => ({ kind: 'object', entries: feed?.columns.map((c, i) => [c, { kind: 'const', value: row[i] ?? '' }] as const) ?? [] })),
        };
      } else over = ctx.templateValue(ov, op, scope);
    }
  }
  body.add(as);
  body.add(`${as}_index`);
  const inner = steps(env, s.steps, ptr(at, 'steps'), body, group);
  scope.merge(body);
  return count !== undefined ? { kind: 'loop', count, as, steps: inner, pos } : { kind: 'loop', over: over ?? { kind: 'array', items: [] }, as, steps: inner, pos };
}

