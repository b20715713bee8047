/**
 * `ws` steps: a VU's WebSocket, held across the steps of an iteration and closed at its end.
 *
 * A step runs its parts in order: connect (ws.connect records the handshake), send, wait for a
 * message matching `until` (ws.message records the time from the step's send — or, without one,
 * from the socket's last send not yet answered, else from the step's start — to the match; the
 * captures read that message), close. Each run of a step is one `ws.errors` sample: false when it
 * succeeded, true (tagged `error:<class>`) when it failed, which ends the iteration: refused,
 * timeout, 4xx/5xx (handshake answered without 101), protocol, reset (the connection lost), closed
 * (the server closed the socket), capture. A stopping run interrupts and records no sample.
 */
import type { Agent } from 'undici';
import { openWebSocket, wsDispatcher, type WsFailure, type WsSession } from '../http/websocket.js';
import type { HttpResult } from '../http/types.js';
import { METRIC } from '../metrics/catalogue.js';
import type { HttpDefaults, WsStep } from '../scenario/plan.js';
import { renderTemplate, renderValue } from '../scenario/template/index.js';
import { applyCaptures } from './captures.js';
import { FAILED, INTERRUPTED, OK, type StepCode } from './codes.js';
import type { StepRunContext } from './http-steps.js';
import { allMatch, checkMatcher } from './matchers.js';
import { ResponseView } from './response.js';

const NO_RESULT: HttpResult = Object.freeze({ status: 0, headers: {}, body: Buffer.alloc(0), bytesIn: 0, bytesOut: 0, timings: { totalUs: 0, ttfbUs: 0 }, url: '', redirects: 0 });

/** A message seen by matchers and captures: its text, parsed as JSON when asked. */
class MessageView extends ResponseView {
  constructor(private readonly message: string) {
    super(NO_RESULT);
  }
  override text(): string {
    return this.message;
  }
}

/** The WebSocket of one VU (at most one open at a time) and the dispatcher of its handshakes. */
export class VuSockets {
  session: WsSession | undefined = undefined;
  /** When the open socket last sent a message that no `until` has answered yet (performance.now()). */
  pendingSendAt: number | undefined = undefined;
  private agent: Agent | undefined = undefined;

  constructor(private readonly http: HttpDefaults) {}

  dispatcher(): Agent {
    this.agent ??= wsDispatcher(this.http.connectTimeoutMs, this.http.tlsVerify);
    return this.agent;
  }

  /** Closes the open socket, if any (the end of an iteration, a `close`, a new `connect`). */
  async closeCurrent(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    this.pendingSendAt = undefined;
    if (s !== undefined) await s.close();
  }

  /** Closes the socket and the dispatcher (the VU is done). */
  async dispose(): Promise<void> {
    await this.closeCurrent();
    const a = this.agent;
    this.agent = undefined;
    if (a !== undefined) await a.close();
  }
}

/** What a ws step needs from its VU. */
export interface WsRunContext extends StepRunContext {
  readonly sockets: VuSockets;
}

/** `ws://host/path` for a step's URL: absolute (ws, wss, http, https) or relative to the target. */
export function wsUrl(raw: string, target: string): string {
  const u = new URL(raw, target === '' ? undefined : target);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  return u.toString();
}

function handshakeHeaders(ctx: WsRunContext, step: WsStep, url: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, t] of ctx.plan.http.headers) headers[k] = renderTemplate(t, ctx.scope);
  for (const [k, t] of step.connect?.headers ?? []) headers[k] = renderTemplate(t, ctx.scope);
  if (ctx.jar !== undefined && headers['cookie'] === undefined) {
    const cookie = ctx.jar.cookieHeader(url.replace(/^ws/, 'http'));
    if (cookie !== undefined) headers['cookie'] = cookie;
  }
  return headers;
}

/** Runs one ws step (see the module comment). Never rejects for WebSocket failures. */
export async function runWsStep(ctx: WsRunContext, step: WsStep): Promise<StepCode> {
  const m = ctx.stepMetrics(step, step.name, undefined, step.tags);
  const phase = ctx.phase();
  const sockets = ctx.sockets;
  const fail = (f: WsFailure): StepCode => {
    if (f.class === 'aborted' || ctx.signal.aborted) return INTERRUPTED;
    m.errors(METRIC.wsErrors, phase, f.class).add(true);
    ctx.fail(step.name, `${f.class}: ${f.message}`);
    return FAILED;
  };
  const done = (): StepCode => {
    m.errors(METRIC.wsErrors, phase, undefined).add(false);
    return OK;
  };
  const start = performance.now();

  if (step.connect !== undefined) {
    await sockets.closeCurrent();
    let url: string;
    try {
      url = wsUrl(renderTemplate(step.connect.url, ctx.scope), ctx.plan.target);
    } catch (err) {
      return fail({ class: 'protocol', message: `not a URL: ${(err as Error).message}` });
    }
    const r = await openWebSocket({ url, headers: handshakeHeaders(ctx, step, url), timeoutMs: step.timeoutMs, signal: ctx.signal, dispatcher: sockets.dispatcher() });
    if ('error' in r) return fail(r.error);
    m.wsTrend(METRIC.wsConnect, phase).record(r.connectUs);
    sockets.session = r.session;
  }

  const session = sockets.session;
  if (session === undefined) {
    if (step.send === undefined && step.until === undefined) return done();
    return fail({ class: 'closed', message: 'no open WebSocket: connect first (a step with `ws: { connect: … }`)' });
  }

  let from = start;
  if (step.send !== undefined) {
    const text = step.send.kind === 'json' ? JSON.stringify(renderValue(step.send.value, ctx.scope)) : renderTemplate(step.send.template, ctx.scope);
    const f = session.send(text);
    if (f !== undefined) return fail(f);
    from = performance.now();
    sockets.pendingSendAt = from;
  } else if (sockets.pendingSendAt !== undefined) from = sockets.pendingSendAt;

  if (step.until !== undefined) {
    const until = step.until;
    const regex = ctx.shared.regex;
    let lastMiss: string | undefined;
    const got = await session.next(
      (text) => {
        const view = new MessageView(text);
        if (allMatch(until, view, ctx.scope, ctx.shared.regex)) return true;
        lastMiss = text;
        return false;
      },
      step.timeoutMs,
      ctx.signal,
    );
    if ('error' in got) {
      const why = lastMiss === undefined ? '' : `; last message: ${explainMiss(until, lastMiss, ctx)}`;
      return fail({ class: got.error.class, message: `${got.error.message}${why}` });
    }
    m.wsTrend(METRIC.wsMessage, phase).record(Math.round((performance.now() - from) * 1000));
    sockets.pendingSendAt = undefined;
    const missing = applyCaptures(step.captures, new MessageView(got.text), regex, ctx.scope.vars);
    if (missing !== undefined) return fail({ class: 'capture', message: `capture \`${missing}\` not found in the message ${clip(got.text)}` });
  }

  if (step.close) await sockets.closeCurrent();
  return done();
}

function explainMiss(until: NonNullable<WsStep['until']>, text: string, ctx: WsRunContext): string {
  const view = new MessageView(text);
  for (const mt of until) {
    const why = checkMatcher(mt, view, ctx.scope, ctx.shared.regex);
    if (why !== undefined) return `${clip(text)} (${why})`;
  }
  return clip(text);
}

function clip(text: string): string {
  return text.length > 200 ? `${JSON.stringify(text.slice(0, 200))}…` : JSON.stringify(text);
}
