/**
 * WebSocket sessions through undici's client (RFC 6455 over HTTP/1.1 upgrade). Failures are data,
 * as for requests: opening resolves with an error class instead of rejecting, and so does waiting.
 *
 * Classes: `refused` (nothing listens), `timeout` (no handshake, or no matching message, in time),
 * `4xx`/`5xx` (the handshake was answered with that status instead of 101), `protocol` (any other
 * refused handshake, a malformed frame), `reset` (the connection dropped without a close frame),
 * `closed` (the server closed the socket with a close frame), `tls`, `dns`, `aborted` (the run
 * stopped). undici's error event carries no cause, so a dispatcher interceptor records the
 * handshake's status or transport error for the classification.
 */
import type { Agent, Dispatcher, WebSocket } from 'undici';
import { undiciPackage } from './undici-parts.js';
import { classifyError, describeError, statusClass } from './classify.js';
import type { ErrorClass } from './types.js';

/** A failure of a WebSocket operation. */
export interface WsFailure {
  readonly class: ErrorClass;
  readonly message: string;
}

/** Unread messages a session keeps (oldest dropped past it). */
export const MAX_UNREAD_MESSAGES = 1_000;
/** How long close() waits for the server's close frame before dropping the connection, ms. */
const CLOSE_WAIT_MS = 1_000;

/** Options of {@link openWebSocket}. */
export interface WsOpenOptions {
  /** `ws://` or `wss://` URL. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Longest handshake, ms. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly dispatcher: Dispatcher;
}

/**
 * Loads what WebSocket sessions need (the whole undici package, ~100 ms cold). Called before a
 * load with WebSocket steps, so that cost is not the first handshake's; otherwise the first
 * session loads it.
 */
export function loadWebSocketSupport(): void {
  undiciPackage();
}

/** A dispatcher for WebSocket handshakes: explicit connect timeout, TLS verification as configured. */
export function wsDispatcher(connectTimeoutMs: number, tlsVerify: boolean): Agent {
  return new (undiciPackage().Agent)({ connect: { timeout: connectTimeoutMs, rejectUnauthorized: tlsVerify } });
}

/** What the handshake left for classification. */
interface HandshakeRecord {
  status?: number;
  err?: unknown;
  /** The upgraded connection: dropped when a close is not answered in time. */
  socket?: { destroy(): void };
}

/** Wraps a dispatch handler so the handshake's status and transport error are recorded. */
function recording(rec: HandshakeRecord): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const h = handler as unknown as Record<string | symbol, unknown>;
    const spy = new Proxy(h, {
      get(target, key) {
        const v = Reflect.get(target, key) as unknown;
        if (typeof v !== 'function') return v;
        const fn = v as (...a: unknown[]) => unknown;
        if (key === 'onResponseStart') return (...a: unknown[]) => ((rec.status = a[1] as number), fn.apply(target, a));
        if (key === 'onHeaders') return (...a: unknown[]) => ((rec.status = a[0] as number), fn.apply(target, a));
        if (key === 'onUpgrade' || key === 'onRequestUpgrade') {
          return (...a: unknown[]) => {
            rec.status = (key === 'onUpgrade' ? a[0] : a[1]) as number;
            rec.socket = a[a.length - 1] as { destroy(): void }
            return fn.apply(target, a);
          };
        }
        if (key === 'onError' || key === 'onResponseError') return (...a: unknown[]) => ((rec.err = a[a.length - 1]), fn.apply(target, a));
        return fn.bind(target);
      },
    });
    return dispatch(opts, spy as unknown as Dispatcher.DispatchHandler);
  };
}

/** Opens a session; resolves with it and the handshake time (µs), or with why it failed. */
export function openWebSocket(o: WsOpenOptions): Promise<{ session: WsSession; connectUs: number } | { error: WsFailure }> {
  if (o.signal.aborted) return Promise.resolve({ error: { class: 'aborted', message: 'the run stopped before the handshake' } });
  return new Promise((resolve) => {
    const rec: HandshakeRecord = {};
    const t0 = performance.now();
    let ws: WebSocket;
    try {
      ws = new (undiciPackage().WebSocket)(o.url, { headers: { ...o.headers }, dispatcher: o.dispatcher.compose(recording(rec)) });
    } catch (err) {
      resolve({ error: { class: 'protocol', message: `cannot open ${o.url}: ${describeError(err)}` } });
      return;
    }
    ws.binaryType = 'arraybuffer';
    let cut: ErrorClass | undefined;
    const stop = (cls: ErrorClass): void => {
      cut = cls;
      ws.close();
    };
    const timer = setTimeout(() => stop('timeout'), o.timeoutMs);
    const onAbort = (): void => stop('aborted');
    o.signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
    };
    const session = new WsSession(ws, () => rec.socket?.destroy());
    ws.addEventListener('open', () => {
      done();
      resolve({ session, connectUs: Math.round((performance.now() - t0) * 1000) });
    });
    ws.addEventListener('close', () => {
      if (session.opened) return;
      done();
      resolve({ error: handshakeFailure(o, rec, cut) });
    });
  });
}

function handshakeFailure(o: WsOpenOptions, rec: HandshakeRecord, cut: ErrorClass | undefined): WsFailure {
  if (cut === 'timeout') return { class: 'timeout', message: `no WebSocket handshake from ${o.url} within ${o.timeoutMs} ms` };
  if (cut === 'aborted') return { class: 'aborted', message: 'the run stopped the handshake' };
  if (rec.err !== undefined) return { class: classifyError(rec.err), message: `WebSocket ${o.url}: ${describeError(rec.err)}` };
  if (rec.status !== undefined && rec.status !== 101) {
    return { class: statusClass(rec.status) ?? 'protocol', message: `WebSocket ${o.url}: the handshake was answered ${rec.status} instead of 101` };
  }
  return { class: 'protocol', message: `WebSocket ${o.url}: handshake refused (not a WebSocket endpoint, or an invalid answer)` };
}

/** One open socket: a queue of unread text messages and one reader at a time. */
export class WsSession {
  opened = false;
  /** Why the socket ended, once it has (a close frame, or the connection lost). */
  ended: WsFailure | undefined = undefined;
  /** Messages dropped because MAX_UNREAD_MESSAGES were waiting. */
  dropped = 0;
  private readonly unread: string[] = [];
  private wake: (() => void) | undefined = undefined;
  private closedByUs = false;
  private readonly closedPromise: Promise<void>;

  /** `drop`: destroys the connection (a close the server does not answer in time). */
  constructor(
    private readonly ws: WebSocket,
    private readonly drop: () => void = () => {},
  ) {
    const decoder = new TextDecoder();
    ws.addEventListener('open', () => (this.opened = true));
    ws.addEventListener('message', (e) => {
      const d: unknown = e.data;
      if (this.unread.length >= MAX_UNREAD_MESSAGES) {
        this.unread.shift();
        this.dropped++;
      }
      this.unread.push(typeof d === 'string' ? d : decoder.decode(d as ArrayBuffer));
      this.notify();
    });
    this.closedPromise = new Promise((resolve) => {
      ws.addEventListener('close', (e) => {
        if (this.opened && !this.closedByUs) {
          this.ended =
            e.code === 1006
              ? { class: 'reset', message: 'the WebSocket connection was lost (no close frame)' }
              : { class: 'closed', message: `the server closed the WebSocket (code ${e.code}${e.reason !== '' ? `: ${e.reason}` : ''})` };
        }
        this.notify();
        resolve();
      });
    });
  }

  /** Sends a text message; a failure when the socket is no longer open. */
  send(text: string): WsFailure | undefined {
    if (this.ws.readyState !== this.ws.OPEN) return this.ended ?? { class: 'closed', message: 'the WebSocket is closed' };
    this.ws.send(text);
    return undefined;
  }

  /**
   * Takes unread messages in order until one satisfies `matches` (those before it are discarded),
   * waiting for new ones up to `timeoutMs`. Messages left unread stay for the next wait.
   */
  async next(matches: (text: string) => boolean, timeoutMs: number, signal: AbortSignal): Promise<{ text: string } | { error: WsFailure; seen: number }> {
    const deadline = performance.now() + timeoutMs;
    let seen = 0;
    for (;;) {
      while (this.unread.length > 0) {
        const text = this.unread.shift() as string;
        seen++;
        if (matches(text)) return { text };
      }
      if (signal.aborted) return { error: { class: 'aborted', message: 'the run stopped the wait' }, seen };
      if (this.ended !== undefined) return { error: this.ended, seen };
      if (this.closedByUs) return { error: { class: 'closed', message: 'the WebSocket is closed' }, seen };
      const left = deadline - performance.now();
      if (left <= 0) return { error: { class: 'timeout', message: `no matching message within ${timeoutMs} ms (${seen} other message${seen === 1 ? '' : 's'} received)` }, seen };
      await new Promise<void>((resolve) => {
        const t = setTimeout(finish, left);
        signal.addEventListener('abort', finish, { once: true });
        this.wake = finish;
        function finish(): void {
          clearTimeout(t);
          signal.removeEventListener('abort', finish);
          resolve();
        }
      });
      this.wake = undefined;
    }
  }

  /**
   * Closes the socket (code 1000) and waits for the server's answer, at most one second; then the
   * connection is dropped, so a server that never answers cannot keep it (or the process) alive.
   */
  async close(): Promise<void> {
    this.closedByUs = true;
    if (this.ws.readyState === this.ws.CLOSED) return;
    if (this.ws.readyState !== this.ws.CLOSING) this.ws.close(1000);
    let t: NodeJS.Timeout | undefined;
    const answered = await Promise.race([this.closedPromise.then(() => true), new Promise<boolean>((r) => (t = setTimeout(() => r(false), CLOSE_WAIT_MS)))]);
    clearTimeout(t);
    if (!answered) this.drop();
  }

  private notify(): void {
    this.wake?.();
  }
}
