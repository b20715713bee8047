/** `ws` steps (WebSocket) → the Plan's WsStep. See plan-ws.ts for what each part does. */
import { ERROR_CODES } from '../../errors.js';
import type { WsSendPlan, WsStep } from '../plan-ws.js';
import type { NormContext, Obj } from './context.js';
import { ptr } from './context.js';
import { captures, matchers } from './matchers.js';
import type { VarScope } from './scope.js';
import type { StepEnv } from './steps.js';

/** Default `timeout` of a ws step (handshake, wait). */
export const WS_DEFAULT_TIMEOUT = '10s';

/** What a message offers: `until` and captures read JSON paths or the text, nothing HTTP-only. */
const UNTIL_HTTP_ONLY = ['status', 'header', 'headers', 'css', 'attribute', 'maxLatency'];
const CAPTURE_HTTP_ONLY = ['header', 'status', 'css', 'attribute', 'all'];

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Normalizes step `s` (which has a `ws` key) at pointer `at`. */
export function wsStep(env: StepEnv, s: Obj, at: string, scope: VarScope): WsStep {
  const { ctx } = env;
  const wp = ptr(at, 'ws');
  const w: Obj = isObj(s.ws) ? s.ws : {};
  const parts = ['connect', 'send', 'until', 'close'].filter((k) => Object.hasOwn(w, k) && !(k === 'close' && w.close === false));
  if (parts.length === 0) ctx.problem(ERROR_CODES.SEMANTIC, 'a ws step needs at least one of `connect`, `send`, `until`, `close: true`', wp, 'e.g. `ws: { connect: /orders/ws }`');

  let connect: WsStep['connect'];
  if (Object.hasOwn(w, 'connect')) {
    const cp = ptr(wp, 'connect');
    const url = ctx.template(String(w.connect), cp, scope);
    if (!env.hasTarget && !/^(wss?:\/\/|https?:\/\/|\{\{)/.test(url.source)) {
      ctx.problem(ERROR_CODES.SEMANTIC, `the relative URL \`${url.source}\` needs a \`target\``, cp, 'set `target:` (or pass --target), or write an absolute ws:// URL');
    }
    const headers = Object.entries(isObj(w.headers) ? w.headers : {}).map(([k, v]) => [k.toLowerCase(), ctx.template(String(v), ptr(wp, 'headers', k), scope)] as const);
    connect = { url, headers };
  } else if (Object.hasOwn(w, 'headers')) {
    ctx.problem(ERROR_CODES.SEMANTIC, '`headers` are sent with the handshake: they need `connect`', ptr(wp, 'headers'), undefined, true);
  }

  let send: WsSendPlan | undefined;
  if (Object.hasOwn(w, 'send')) {
    const sp = ptr(wp, 'send');
    const v = w.send;
    if (isObj(v) && Object.hasOwn(v, 'json')) send = { kind: 'json', value: ctx.templateValue(v.json, ptr(sp, 'json'), scope) };
    else if (isObj(v) && Object.hasOwn(v, 'text')) send = { kind: 'text', template: ctx.template(String(v.text), ptr(sp, 'text'), scope) };
    else send = { kind: 'text', template: ctx.template(String(v), sp, scope) };
  }

  let until: WsStep['until'];
  if (Object.hasOwn(w, 'until')) {
    const up = ptr(wp, 'until');
    const u: Obj = isObj(w.until) ? w.until : {};
    for (const k of UNTIL_HTTP_ONLY) {
      if (Object.hasOwn(u, k)) ctx.problem(ERROR_CODES.SEMANTIC, `\`${k}\` does not apply to a WebSocket message`, ptr(up, k), 'match the message with `json: $.…` or `body` plus an operator', true);
    }
    until = matchers(ctx, u, up, scope);
    if (until.length === 0) ctx.problem(ERROR_CODES.SEMANTIC, '`until` needs a matcher', up, 'e.g. `until: { json: $.status, equals: done }`');
  }

  const caps = Object.hasOwn(s, 'capture') ? wsCaptures(ctx, s.capture, ptr(at, 'capture')) : [];
  if (caps.length > 0 && until === undefined) {
    ctx.problem(ERROR_CODES.SEMANTIC, 'captures read the message that matched `until`: this step waits for none', ptr(at, 'capture'), 'add `until` to the `ws` step', true);
  }
  for (const c of caps) scope.add(c.as);

  const timeoutMs = ctx.duration(w.timeout ?? WS_DEFAULT_TIMEOUT, ptr(wp, 'timeout'));
  const name = typeof s.name === 'string' ? s.name : connect !== undefined ? `ws ${connect.url.source}` : `ws ${parts.join(' ')}`;
  env.names.steps.add(name);
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(isObj(s.tags) ? s.tags : {})) {
    tags[k] = String(v);
    env.names.tagKeys.add(k);
  }
  return {
    kind: 'ws',
    name,
    ...(connect !== undefined ? { connect } : {}),
    ...(send !== undefined ? { send } : {}),
    ...(until !== undefined ? { until } : {}),
    timeoutMs,
    captures: caps,
    close: w.close === true,
    tags,
    pos: ctx.sourcePos(at),
  };
}

function wsCaptures(ctx: NormContext, raw: unknown, at: string): ReturnType<typeof captures> {
  const o: Obj = isObj(raw) ? raw : {};
  for (const [as, c] of Object.entries(o)) {
    if (!isObj(c)) continue;
    for (const k of CAPTURE_HTTP_ONLY) {
      if (Object.hasOwn(c, k)) ctx.problem(ERROR_CODES.SEMANTIC, `a WebSocket message has no \`${k}\` to capture`, ptr(at, as, k), 'capture with `json: $.…` or `regex`', true);
    }
  }
  return captures(ctx, o, at).filter((c) => c.kind === 'json' || c.kind === 'regex');
}
