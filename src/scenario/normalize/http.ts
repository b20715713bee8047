/** HTTP defaults: every value from the scenario or the schema's default. */
import type { HttpDefaults } from '../plan.js';
import type { NormContext, Obj } from './context.js';
import { ptr } from './context.js';
import type { DefaultOf } from './load.js';
import type { VarScope } from './scope.js';

export function httpDefaults(ctx: NormContext, h: Obj | undefined, def: DefaultOf, scope: VarScope): HttpDefaults {
  const o = h ?? {};
  const pick = <T>(prop: string): T => (Object.hasOwn(o, prop) ? o[prop] : def('http', prop)) as T;
  const headers = Object.entries((o.headers as Obj | undefined) ?? {}).map(
    ([k, v]) => [k.toLowerCase(), ctx.template(String(v), ptr('/http/headers', k), scope)] as const,
  );
  return {
    timeoutMs: ctx.duration(pick('timeout'), '/http/timeout'),
    connectTimeoutMs: ctx.duration(pick('connectTimeout'), '/http/connectTimeout'),
    connections: pick<number>('connections'),
    connectionPolicy: pick<'shared' | 'per-vu'>('connectionPolicy'),
    keepAlive: pick<boolean>('keepAlive'),
    headers,
    tlsVerify: !pick<boolean>('insecureSkipTlsVerify'),
    followRedirects: pick<boolean>('followRedirects'),
    maxRedirects: pick<number>('maxRedirects'),
    maxResponseBytes: ctx.size(pick('maxResponseSize'), '/http/maxResponseSize'),
    http2: pick<boolean>('http2'),
    cookies: pick<boolean>('cookies'),
    compression: pick<boolean>('compression'),
  };
}
