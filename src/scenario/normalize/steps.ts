/** Steps: requests, think, loop, if, poll, ws, group, log, metric, set → the Plan's Step union. */
import { ERROR_CODES } from '../../errors.js';
import { dirname, extname, join } from 'node:path';
import type { BodyPlan, DataFeed, Expr, HttpMethod, RequestStep, RetryPlan, Step, Template, TemplateValue } from '../plan.js';
import { exprText } from '../template/coerce.js';
import type { NormContext, Obj } from './context.js';
import { get, ptr } from './context.js';
import { jsonBodyFile, textBodyFile } from './body-file.js';
import { MAX_BODY_FILE_BYTES, readBeside } from './beside.js';
import { multipartBody } from './multipart.js';
import { captures, condition, matchers } from './matchers.js';
import type { VarScope } from './scope.js';
import { protocolStepKind } from './step-kinds.js';
import { wsStep } from './ws.js';

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** What step normalization needs beyond the context. */
export interface StepEnv {
  readonly ctx: NormContext;
  /** Feeders by name, for `loop: { over: { data: name } }`. */
  readonly feeds: ReadonlyMap<string, DataFeed>;
  /** Directory of the scenario file: `bodyFile` paths resolve against it. */
  readonly baseDir: string;
  /** True when the plan has a target (relative URLs need one). */
  readonly hasTarget: boolean;
  /** Custom metrics seen (name → type), for thresholds. */
  readonly metrics: Map<string, string>;
  /** Scenario-level connection blocks present (`kafka`, `redis`): their steps need them. */
  readonly protocols: ReadonlySet<string>;
  /** Every request/poll/group/check name and tag key seen, for thresholds. */
  readonly names: { steps: Set<string>; groups: Set<string>; checks: Set<string>; methods: Set<string>; tagKeys: Set<string> };
}

function entries(o: unknown): [string, unknown][] {
  return o !== null && typeof o === 'object' ? Object.entries(o) : [];
}

function tagsOf(env: StepEnv, o: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of entries(o)) {
    out[k] = String(v);
    env.names.tagKeys.add(k);
  }
  return out;
}

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

function request(env: StepEnv, s: Obj, at: string, scope: VarScope, name: string | undefined, forced?: HttpMethod): RequestStep {
  const { ctx } = env;
  const method = forced ?? METHODS.find((m) => Object.hasOwn(s, m.toLowerCase())) ?? 'GET';
  const key = method.toLowerCase();
  const urlPtr = ptr(at, key);
  const url = ctx.template(String(s[key] ?? ''), urlPtr, scope);
  if (!env.hasTarget && !/^(https?:\/\/|\{\{)/.test(url.source)) {
    ctx.problem(ERROR_CODES.SEMANTIC, `the relative URL \`${url.source}\` needs a \`target\``, urlPtr, 'set `target:` (or pass --target), or write an absolute URL');
  }
  const stepName = name ?? `${method} ${url.source}`;
  env.names.steps.add(stepName);
  env.names.methods.add(method);
  const pairs = (o: unknown, p: string, lower: boolean): (readonly [string, Template])[] =>
    entries(o).map(([k, v]) => [lower ? k.toLowerCase() : k, ctx.template(String(v), ptr(at, p, k), scope)] as const);
  const bodies = ['json', 'body', 'form', 'multipart', 'bodyFile'].filter((b) => Object.hasOwn(s, b));
  if (bodies.length > 1) ctx.problem(ERROR_CODES.SEMANTIC, `a request has one body: ${bodies.join(' and ')} given`, ptr(at, bodies[1] ?? ''), undefined, true);
  if (Object.hasOwn(s, 'contentType') && !Object.hasOwn(s, 'body') && !Object.hasOwn(s, 'bodyFile')) ctx.problem(ERROR_CODES.SEMANTIC, '`contentType` applies to a `body`', ptr(at, 'contentType'), undefined, true);
  let body: BodyPlan | undefined;
  if (Object.hasOwn(s, 'json')) body = { kind: 'json', value: ctx.templateValue(s.json, ptr(at, 'json'), scope) };
  else if (Object.hasOwn(s, 'form')) body = { kind: 'form', fields: pairs(s.form, 'form', false) };
  else if (Object.hasOwn(s, 'multipart')) body = multipartBody(env, s.multipart as Obj, ptr(at, 'multipart'), scope);
  else if (Object.hasOwn(s, 'body')) {
    const template = ctx.template(String(s.body), ptr(at, 'body'), scope);
    body = typeof s.contentType === 'string' ? { kind: 'text', template, contentType: s.contentType } : { kind: 'text', template };
  } else if (Object.hasOwn(s, 'bodyFile')) body = bodyFromFile(env, String(s.bodyFile), typeof s.contentType === 'string' ? s.contentType : undefined, ptr(at, 'bodyFile'), scope);
  const headers = pairs(s.headers, 'headers', true);
  if (Object.hasOwn(s, 'auth')) {
    const a = s.auth as Obj;
    if (headers.some(([k]) => k === 'authorization')) ctx.problem(ERROR_CODES.SEMANTIC, '`auth` and an `authorization` header: give one', ptr(at, 'auth'), undefined, true);
    headers.push(['authorization', basicAuth(ctx.template(String(a.user), ptr(at, 'auth', 'user'), scope), ctx.template(String(a.password), ptr(at, 'auth', 'password'), scope))]);
  }
  const checks = entries(s.check).map(([checkName, c]) => {
    env.names.checks.add(checkName);
    return { name: checkName, all: matchers(ctx, c as Obj, ptr(at, 'check', checkName), scope) };
  });
  const tags = tagsOf(env, s.tags);
  const tagWith = entries(s.tagWith).map(([tag, src]) => {
    if (Object.hasOwn(tags, tag)) ctx.problem(ERROR_CODES.SEMANTIC, `tag \`${tag}\` is set by both \`tags\` and \`tagWith\``, ptr(at, 'tagWith', tag), undefined, true);
    if (['journey', 'step', 'group', 'method', 'status', 'error', 'phase', 'check'].includes(tag)) {
      ctx.problem(ERROR_CODES.SEMANTIC, `\`${tag}\` is a tag the engine sets`, ptr(at, 'tagWith', tag), 'pick another tag name', true);
    }
    env.names.tagKeys.add(tag);
    return { tag, header: String((src as Obj).header).toLowerCase() };
  });
  const req: RequestStep = {
    kind: 'request',
    name: stepName,
    method,
    url,
    query: pairs(s.query, 'query', false),
    headers,
    ...(body ? { body } : {}),
    expect: Object.hasOwn(s, 'expect') ? matchers(ctx, s.expect as Obj, ptr(at, 'expect'), scope) : [],
    checks,
    captures: Object.hasOwn(s, 'capture') ? captures(ctx, s.capture as Obj, ptr(at, 'capture')) : [],
    ...(Object.hasOwn(s, 'timeout') ? { timeoutMs: ctx.duration(s.timeout, ptr(at, 'timeout')) } : {}),
    tags,
    ...(tagWith.length > 0 ? { tagWith } : {}),
    ...(Object.hasOwn(s, 'retry') ? { retry: retry(ctx, s.retry, ptr(at, 'retry')) } : {}),
    pos: ctx.sourcePos(at),
  };
  return req;
}

/** A template part as an expression: text becomes a literal. */
function partsExpr(t: Template): Expr {
  const exprs: Expr[] = t.parts.map((p) => (typeof p === 'string' ? { kind: 'lit', value: p } : p));
  return exprs.length === 1 ? (exprs[0] as Expr) : { kind: 'call', fn: 'concat', args: exprs };
}

/** `Basic {{ base64(concat(user, ":", password)) }}`, built from the two compiled templates. */
function basicAuth(user: Template, password: Template): Template {
  const creds: Expr = { kind: 'call', fn: 'concat', args: [partsExpr(user), { kind: 'lit', value: ':' }, partsExpr(password)] };
  const b64: Expr = { kind: 'call', fn: 'base64', args: [creds] };
  return { source: `Basic {{ ${exprText(b64)} }}`, parts: ['Basic ', b64], single: false };
}

function bodyFromFile(env: StepEnv, rel: string, contentType: string | undefined, at: string, scope: VarScope): BodyPlan | undefined {
  const { ctx } = env;
  const bytes = readBeside(env, rel, MAX_BODY_FILE_BYTES, 'body file', at);
  if (bytes === undefined) return undefined;
  const text = bytes.toString('utf8');
  // Problems inside the file point into it, named as the scenario's own path is (relative stays relative).
  const shown = join(dirname(ctx.file), rel);
  if (extname(rel).toLowerCase() === '.json' && contentType === undefined) {
    const value = jsonBodyFile(ctx, text, shown, at, scope);
    return value === undefined ? undefined : { kind: 'json', value };
  }
  const template = textBodyFile(ctx, text, shown, at, scope);
  if (template === undefined) return undefined;
  return contentType !== undefined ? { kind: 'text', template, contentType } : { kind: 'text', template };
}

const RETRY_DEFAULT_ON = ['refused', 'reset', 'timeout', '5xx', '429'];

function retry(ctx: NormContext, r: unknown, at: string): RetryPlan {
  const o = (typeof r === 'number' ? { attempts: r } : r) as Obj;
  const backoffMs = ctx.duration(o.backoff ?? '100ms', ptr(at, 'backoff'));
  const maxBackoffMs = ctx.duration(o.maxBackoff ?? '2s', ptr(at, 'maxBackoff'));
  if (backoffMs > maxBackoffMs) ctx.problem(ERROR_CODES.SEMANTIC, '`backoff` is longer than `maxBackoff`', ptr(at, 'backoff'));
  return {
    attempts: typeof o.attempts === 'number' ? o.attempts : 2,
    on: Array.isArray(o.on) ? o.on.map(String) : RETRY_DEFAULT_ON,
    backoffMs,
    maxBackoffMs,
    jitter: Object.hasOwn(o, 'jitter') ? ctx.fraction(o.jitter, ptr(at, 'jitter')) : 0.2,
  };
}
