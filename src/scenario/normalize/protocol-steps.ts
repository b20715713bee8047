/**
 * `kafka` and `redis` steps → the Plan's KafkaStep / RedisStep. Their matchers are the `expect`
 * matchers: for Kafka `json` reads the message value, `header`/`headers` its headers, `key` its key
 * and `body` the value as text; for Redis `json` reads the reply (`$` is the whole reply, a string
 * holding JSON is parsed) and a bare operator (`{ gt: 0 }`) compares the whole reply.
 */
import { ERROR_CODES } from '../../errors.js';
import type { CapturePlan, KafkaConsume, KafkaProduce, KafkaStep, Matcher, RedisCommand, RedisStep } from '../plan.js';
import type { NormContext, Obj } from './context.js';
import { ptr } from './context.js';
import { captures, comparisons, matchers, OPS } from './matchers.js';
import type { VarScope } from './scope.js';
import type { StepEnv } from './steps.js';

/** The Redis commands, and whether each needs a key / a field / a value. */
export const REDIS_COMMANDS: readonly RedisCommand[] = ['get', 'exists', 'ttl', 'pttl', 'hget', 'hgetall', 'llen', 'xlen', 'keys', 'set', 'del'];

/** Default `limit` of a `keys` step: at most this many keys come back (the SCAN stops there). */
export const REDIS_KEYS_LIMIT = 1000;

function entries(o: unknown): [string, unknown][] {
  return o !== null && typeof o === 'object' ? Object.entries(o) : [];
}

/** A step of a kind whose scenario-level block is missing: a problem at the step's key. */
function needsBlock(env: StepEnv, kind: 'kafka' | 'redis', at: string): void {
  if (env.protocols.has(kind)) return;
  const example = kind === 'kafka' ? '`kafka: { brokers: [127.0.0.1:9092] }`' : '`redis: { url: redis://127.0.0.1:6379 }`';
  env.ctx.problem(ERROR_CODES.SEMANTIC, `a \`${kind}\` step needs the scenario's \`${kind}:\` block: it says where to connect`, ptr(at, kind), `add ${example} at the top level of the scenario`, true);
}

function stepTags(env: StepEnv, o: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of entries(o)) {
    out[k] = String(v);
    env.names.tagKeys.add(k);
  }
  return out;
}

/** Matchers plus `key: <comparison>` (kafka); `bareIsReply`: a bare operator compares the reply (`json: $`). */
function protocolMatchers(ctx: NormContext, o: Obj, base: string, scope: VarScope, bareIsReply: boolean): Matcher[] {
  const rest: Record<string, unknown> = { ...o };
  const out: Matcher[] = [];
  if (Object.hasOwn(o, 'key')) {
    delete rest.key;
    const k = o.key;
    const cmps = k !== null && typeof k === 'object' && !Array.isArray(k) ? comparisons(ctx, k as Obj, ptr(base, 'key'), scope) : [{ op: 'equals' as const, value: ctx.templateValue(k, ptr(base, 'key'), scope) }];
    for (const cmp of cmps) out.push({ kind: 'key', cmp });
  }
  const sourced = ['json', 'header', 'headers', 'jsonPaths', 'body'].some((s) => Object.hasOwn(rest, s));
  if (bareIsReply && !sourced && OPS.some((op) => Object.hasOwn(rest, op))) rest.json = '$';
  if (Object.keys(rest).length > 0 || out.length === 0) out.push(...matchers(ctx, rest, base, scope));
  return out;
}

/** Captures plus `{ key: true }` (kafka). */
function protocolCaptures(ctx: NormContext, o: Obj, base: string): CapturePlan[] {
  const rest: Record<string, unknown> = {};
  const keys: CapturePlan[] = [];
  for (const [as, c] of Object.entries(o)) {
    if (c !== null && typeof c === 'object' && Object.hasOwn(c, 'key')) keys.push({ kind: 'key', as, optional: (c as Obj).optional === true });
    else rest[as] = c;
  }
  return [...keys, ...captures(ctx, rest, base)];
}

/** A `kafka` step. */
export function kafkaStep(env: StepEnv, s: Obj, at: string, scope: VarScope): KafkaStep {
  const { ctx } = env;
  needsBlock(env, 'kafka', at);
  const k = s.kafka as Obj;
  const kp = ptr(at, 'kafka');
  let action: KafkaProduce | KafkaConsume;
  if (Object.hasOwn(k, 'produce')) {
    const p = k.produce as Obj;
    const pp = ptr(kp, 'produce');
    const value: KafkaProduce['value'] = Object.hasOwn(p, 'json')
      ? { kind: 'json', value: ctx.templateValue(p.json, ptr(pp, 'json'), scope) }
      : { kind: 'text', template: ctx.template(String(p.value ?? ''), ptr(pp, 'value'), scope) };
    if (Object.hasOwn(p, 'json') === Object.hasOwn(p, 'value')) ctx.problem(ERROR_CODES.SEMANTIC, 'a produced message has a `json` or a text `value`: give one', pp, undefined, true);
    action = {
      op: 'produce',
      topic: ctx.template(String(p.topic), ptr(pp, 'topic'), scope),
      ...(Object.hasOwn(p, 'key') ? { key: ctx.template(String(p.key), ptr(pp, 'key'), scope) } : {}),
      value,
      headers: entries(p.headers).map(([h, v]) => [h, ctx.template(String(v), ptr(pp, 'headers', h), scope)] as const),
    };
  } else {
    const c = k.consume as Obj;
    const cp = ptr(kp, 'consume');
    const topic = String(c.topic);
    if (topic.includes('{{')) ctx.problem(ERROR_CODES.TEMPLATE, 'a consumed topic is constant: its consumer starts with the run, before any VU', ptr(cp, 'topic'), 'name the topic as written or with ${ENV}, and pick the message with `until`');
    const since = typeof c.since === 'string' ? c.since : undefined;
    if (since !== undefined && !env.names.steps.has(since)) {
      ctx.problem(ERROR_CODES.SEMANTIC, `\`since\` names no earlier step \`${since}\``, ptr(cp, 'since'), 'name a request, poll, kafka or redis step that runs before this one');
    }
    action = {
      op: 'consume',
      topic,
      until: Object.hasOwn(c, 'until') ? protocolMatchers(ctx, c.until as Obj, ptr(cp, 'until'), scope, false) : [],
      timeoutMs: ctx.duration(c.timeout ?? '10s', ptr(cp, 'timeout')),
      ...(since !== undefined ? { since } : {}),
    };
  }
  const name = typeof s.name === 'string' ? s.name : action.op === 'produce' ? `produce ${action.topic.source}` : `consume ${action.topic}`;
  env.names.steps.add(name);
  const caps = Object.hasOwn(s, 'capture') ? protocolCaptures(ctx, s.capture as Obj, ptr(at, 'capture')) : [];
  if (action.op === 'produce' && caps.length > 0) ctx.problem(ERROR_CODES.SEMANTIC, 'a `produce` step has nothing to capture', ptr(at, 'capture'), 'capture from a `consume` step', true);
  for (const c of caps) scope.add(c.as);
  return { kind: 'kafka', name, action, captures: caps, tags: stepTags(env, s.tags), pos: ctx.sourcePos(at) };
}

/** A `redis` step. */
export function redisStep(env: StepEnv, s: Obj, at: string, scope: VarScope): RedisStep {
  const { ctx } = env;
  needsBlock(env, 'redis', at);
  const r = s.redis as Obj;
  const rp = ptr(at, 'redis');
  const command = REDIS_COMMANDS.find((c) => Object.hasOwn(r, c)) ?? 'get';
  const key = ctx.template(String(r[command] ?? ''), ptr(rp, command), scope);
  if (command === 'hget' && !Object.hasOwn(r, 'field')) ctx.problem(ERROR_CODES.SEMANTIC, '`hget` reads one field: add `field:`', ptr(rp, 'hget'), 'or read the whole hash with `hgetall`', true);
  if (command === 'set' && !Object.hasOwn(r, 'value')) ctx.problem(ERROR_CODES.SEMANTIC, '`set` needs a `value`', ptr(rp, 'set'), undefined, true);
  for (const [prop, only] of [['field', 'hget'], ['value', 'set'], ['expire', 'set'], ['limit', 'keys']] as const) {
    if (Object.hasOwn(r, prop) && command !== only) ctx.problem(ERROR_CODES.SEMANTIC, `\`${prop}\` only applies to \`${only}\``, ptr(rp, prop), undefined, true);
  }
  const name = typeof s.name === 'string' ? s.name : `${command} ${key.source}`;
  env.names.steps.add(name);
  const caps = Object.hasOwn(s, 'capture') ? captures(ctx, s.capture as Obj, ptr(at, 'capture')) : [];
  const step: RedisStep = {
    kind: 'redis',
    name,
    command,
    key,
    ...(Object.hasOwn(r, 'field') ? { field: ctx.template(String(r.field), ptr(rp, 'field'), scope) } : {}),
    ...(Object.hasOwn(r, 'value') ? { value: ctx.templateValue(r.value, ptr(rp, 'value'), scope) } : {}),
    ...(Object.hasOwn(r, 'expire') ? { ttlMs: ctx.duration(r.expire, ptr(rp, 'expire')) } : {}),
    limit: typeof r.limit === 'number' ? r.limit : REDIS_KEYS_LIMIT,
    expect: Object.hasOwn(s, 'expect') ? protocolMatchers(ctx, s.expect as Obj, ptr(at, 'expect'), scope, true) : [],
    captures: caps,
    tags: stepTags(env, s.tags),
    pos: ctx.sourcePos(at),
  };
  for (const c of caps) scope.add(c.as);
  return step;
}
