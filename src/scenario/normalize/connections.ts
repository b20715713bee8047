/**
 * The scenario-level `kafka:` and `redis:` blocks. Their strings may hold `${ENV}` (interpolated
 * before) and templates over the declared variables, rendered here once: a connection is made
 * before any VU runs. Passwords (SASL, the one in a Redis URL) join the plan's secrets, so no
 * output ever shows them.
 */
import { ERROR_CODES } from '../../errors.js';
import type { KafkaPlan, RedisPlan } from '../plan.js';
import { renderTemplate, RenderError, type Scope } from '../template/index.js';
import type { NormContext, Obj } from './context.js';
import { ptr } from './context.js';
import { VarScope } from './scope.js';

type Scalar = string | number | boolean;

/** Default number of unmatched messages a topic's consumer keeps for waiters still to come. */
export const KAFKA_BUFFER_DEFAULT = 10_000;

function render(ctx: NormContext, v: unknown, at: string, variables: Readonly<Record<string, Scalar>>): string {
  const t = ctx.template(String(v), at, new VarScope(Object.keys(variables)));
  const scope: Scope = { lookup: (root) => variables[root], random: Math.random, now: Date.now };
  try {
    return renderTemplate(t, scope);
  } catch (err) {
    if (!(err instanceof RenderError)) throw err;
    ctx.problem(ERROR_CODES.TEMPLATE, err.message, at);
    return '';
  }
}

/** The `kafka:` block; `secrets` receives the SASL password. */
export function kafkaPlan(ctx: NormContext, k: Obj | undefined, variables: Readonly<Record<string, Scalar>>, secrets: string[]): KafkaPlan | undefined {
  if (k === undefined) return undefined;
  const list = Array.isArray(k.brokers) ? k.brokers : String(k.brokers ?? '').split(',');
  const brokers = list
    .map((b: unknown, i: number) => render(ctx, b, Array.isArray(k.brokers) ? ptr('/kafka/brokers', i) : '/kafka/brokers', variables))
    .flatMap((b) => b.split(','))
    .map((b) => b.trim())
    .filter((b) => b !== '');
  brokers.forEach((b) => {
    if (!/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(b)) ctx.problem(ERROR_CODES.SEMANTIC, `broker \`${b}\` is not host:port`, '/kafka/brokers', 'e.g. `brokers: [127.0.0.1:9092]`');
  });
  if (brokers.length === 0) ctx.problem(ERROR_CODES.SEMANTIC, 'no broker given', '/kafka/brokers', 'e.g. `brokers: [127.0.0.1:9092]`');
  const sasl = k.sasl as Obj | undefined;
  let saslPlan: KafkaPlan['sasl'];
  if (sasl !== undefined) {
    const password = render(ctx, sasl.password, '/kafka/sasl/password', variables);
    if (password !== '') secrets.push(password);
    saslPlan = { mechanism: (sasl.mechanism as NonNullable<KafkaPlan['sasl']>['mechanism'] | undefined) ?? 'plain', username: render(ctx, sasl.username, '/kafka/sasl/username', variables), password };
  }
  const ssl = k.ssl;
  return {
    brokers,
    clientId: Object.hasOwn(k, 'clientId') ? render(ctx, k.clientId, '/kafka/clientId', variables) : 'rampart',
    ssl: ssl === true || (ssl !== null && typeof ssl === 'object'),
    tlsVerify: !(ssl !== null && typeof ssl === 'object' && (ssl as Obj).insecureSkipTlsVerify === true),
    ...(saslPlan !== undefined ? { sasl: saslPlan } : {}),
    connectTimeoutMs: ctx.duration(k.connectTimeout ?? '3s', '/kafka/connectTimeout'),
    buffer: typeof k.buffer === 'number' ? k.buffer : KAFKA_BUFFER_DEFAULT,
  };
}

/** The `redis:` block; `secrets` receives the URL's password. */
export function redisPlan(ctx: NormContext, r: Obj | undefined, variables: Readonly<Record<string, Scalar>>, secrets: string[]): RedisPlan | undefined {
  if (r === undefined) return undefined;
  const url = render(ctx, r.url, '/redis/url', variables);
  try {
    const u = new URL(url);
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error('scheme');
    if (u.password !== '') secrets.push(decodeURIComponent(u.password), u.password);
  } catch {
    ctx.problem(ERROR_CODES.SEMANTIC, `\`${url.replace(/\/\/[^@/]*@/, '//[redacted]@')}\` is not a redis:// or rediss:// URL`, '/redis/url', 'e.g. `url: redis://127.0.0.1:6379` or `rediss://user:${REDIS_PASSWORD}@host:6380/0`');
  }
  return { url, timeoutMs: ctx.duration(r.timeout ?? '2s', '/redis/timeout') };
}
