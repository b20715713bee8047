/**
 * The HTTP client a virtual user calls: one undici pool per origin, redirects followed here (so the
 * cookie jar sees every hop), timeouts and size limits enforced per hop, and every failure returned
 * as data — `request()` never rejects for network or HTTP failures.
 */
import type { Dispatcher } from 'undici';
import type { HttpDefaults } from '../scenario/plan.js';
import { classifyError, describeError } from './classify.js';
import { createOriginPool, UNDICI_TIMEOUTS_OFF, type OriginPool } from './dispatchers.js';
import type { RequestDispatcher } from './connection-pool.js';
import { mergeCookieHeaders, parseRawHeaders, rawHeaderValues } from './headers.js';
import { AbortWatch } from './abort-watch.js';
import { Hop, isRedirect } from './hop.js';
import type { InFlightLimit } from './in-flight-limit.js';
import { redirected } from './redirect.js';
import type { CookieHook, ErrorClass, HttpClient, HttpRequest, HttpResult, HttpTimings, PreconnectResult, TlsInfo } from './types.js';

/** How long close() waits for in-flight requests before destroying the connections, ms. */
export const CLOSE_GRACE_MS = 2_000;

/**
 * The most times a request is written again after the server closed the kept-alive connection
 * under it before answering (see {@link Hop.closedUnanswered}). A guard: the pool hands the request
 * the same client back, reconnected, and a new connection that fails is never a reason to send again.
 */
export const MAX_RESENDS = 3;

/** RFC 9110's idempotent methods: sending one again is safe when the server never answered it. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** Whether a request may be written again on another connection: idempotent, or carrying an idempotency key. */
function replayable(method: string, headers: Record<string, string>): boolean {
  return IDEMPOTENT.has(method.toUpperCase()) || headers['idempotency-key'] !== undefined;
}

export interface HttpClientOptions {
  readonly http: HttpDefaults;
  /** The plan's target; only used in messages (request URLs are absolute). */
  readonly target: string;
  /**
   * The run's limit on requests in flight (src/http/in-flight-limit.ts), shared by all its clients.
   * A request waits for it before it is written; the wait is in `blockedUs`, not the latency.
   */
  readonly limit?: InFlightLimit;
}

/** The result of a request; response headers are parsed on first read. */
class Result implements HttpResult {
  status: number;
  body: Buffer;
  bytesIn: number;
  bytesOut: number;
  timings: HttpTimings;
  url: string;
  redirects: number;
  tls?: TlsInfo;
  resent?: number;
  error?: { class: ErrorClass; message: string };
  private raw: Buffer[] | undefined;
  private parsed: Record<string, string | string[]> | undefined = undefined;

  /** `blockedMs`: the time the hops waited for a connection, or -1 when none was written. */
  constructor(hop: Hop, url: string, startMs: number, blockedMs: number, bytesIn: number, bytesOut: number, redirects: number, connectUs: number) {
    this.status = hop.status;
    this.raw = hop.rawHeaders;
    this.body = hop.body();
    this.bytesIn = bytesIn;
    this.bytesOut = bytesOut;
    const from = startMs + Math.max(0, blockedMs);
    const totalUs = Math.round((hop.endMs - from) * 1000);
    const ttfbUs = hop.headersMs >= 0 ? Math.round((hop.headersMs - from) * 1000) : totalUs;
    const t: { totalUs: number; ttfbUs: number; connectUs?: number; blockedUs?: number } = { totalUs, ttfbUs };
    if (connectUs >= 0) t.connectUs = connectUs;
    if (blockedMs >= 0) t.blockedUs = Math.round(blockedMs * 1000);
    this.timings = t;
    this.url = url;
    this.redirects = redirects;
  }

  get headers(): Record<string, string | string[]> {
    if (this.parsed === undefined) this.parsed = parseRawHeaders(this.raw);
    return this.parsed;
  }
}

/** Splits `http://host:port/path?q` into origin and path without a URL object (hot path). */
function splitUrl(url: string): { origin: string; path: string } | undefined {
  const scheme = url.startsWith('http://') ? 7 : url.startsWith('https://') ? 8 : -1;
  if (scheme < 0) return undefined;
  let end = url.length;
  for (let i = scheme; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) {
      end = i;
      break;
    }
  }
  if (end === scheme) return undefined;
  const rest = url.slice(end);
  const hash = rest.indexOf('#');
  const path = hash >= 0 ? rest.slice(0, hash) : rest;
  return { origin: url.slice(0, end), path: path === '' ? '/' : path.startsWith('?') ? `/${path}` : path };
}

/** {@link splitUrl} that remembers the last URL: a step's URL without templates is the same string on every request. */
function urlSplitter(): (url: string) => { origin: string; path: string } | undefined {
  let lastUrl = '';
  let last: { origin: string; path: string } | undefined;
  return (url) => {
    if (url !== lastUrl) {
      last = splitUrl(url);
      lastUrl = url;
    }
    return last;
  };
}

function estimateBytesOut(method: string, path: string, origin: string, headers: Record<string, string>, body: string | Uint8Array | undefined): number {
  // "GET /path HTTP/1.1\r\n" + "host: …\r\n" + headers + "\r\n" + body
  let n = method.length + path.length + 12 + origin.length + 8 + 2;
  for (const k in headers) n += k.length + (headers[k] as string).length + 4;
  if (body !== undefined) n += typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  return n;
}

/**
 * The in-flight hops of every client in this process, by signal. One for all: with a connection per
 * VU there are 10,000 clients sharing the run's signal, and a watch per client put 10,000 listeners
 * on it — each EventTarget add walks the list, so starting them cost about a second of CPU.
 */
const watch = new AbortWatch();

/** A request that failed before any hop could be sent. */
function failure(url: string, startMs: number, cls: ErrorClass, message: string): HttpResult {
  const us = Math.round((performance.now() - startMs) * 1000);
  return { status: 0, headers: {}, body: Buffer.alloc(0), bytesIn: 0, bytesOut: 0, timings: { totalUs: us, ttfbUs: us }, url, redirects: 0, error: { class: cls, message } };
}

/** The headers with the jar's cookies for this URL, before the request's own `cookie` header. */
function withJarCookies(jar: CookieHook | undefined, url: string, headers: Record<string, string>): Record<string, string> {
  const jarCookies = jar?.cookieHeader(url);
  if (jarCookies === undefined || jarCookies === '') return headers;
  const own = headers['cookie'];
  return { ...headers, cookie: own === undefined || own === '' ? jarCookies : mergeCookieHeaders(jarCookies, own) };
}

/** Creates a client with one connection pool per origin, opened on first use. */
export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const http = opts.http;
  const limit = opts.limit;
  const pools = new Map<string, OriginPool>();
  let closed = false;

  function originPool(origin: string): OriginPool {
    let p = pools.get(origin);
    if (p === undefined) {
      p = createOriginPool(origin, http);
      pools.set(origin, p);
    }
    return p;
  }
  const pool = (origin: string): RequestDispatcher => originPool(origin).dispatcher;
  const partsOf = urlSplitter();

  async function request(req: HttpRequest): Promise<HttpResult> {
    const startMs = performance.now();
    if (closed) return failure(req.url, startMs, 'aborted', 'the HTTP client is closed');
    const timeoutMs = req.timeoutMs ?? http.timeoutMs;
    const follow = req.followRedirects ?? http.followRedirects;
    const maxRedirects = req.maxRedirects ?? http.maxRedirects;
    const keepBody = req.discardBody !== true;
    const reset = !http.keepAlive;
    let url = req.url;
    let method = req.method;
    let headers = req.headers;
    let body = req.body;
    let redirects = 0;
    let bytesIn = 0;
    let bytesOut = 0;
    let connectUs = -1;
    // Time the hops spent waiting for a connection; -1 until one was written.
    let blockedMs = -1;
    let tls: TlsInfo | undefined;
    // Writes again after the server closed a kept-alive connection under the request (MAX_RESENDS).
    let resent = 0;
    for (;;) {
      const parts = partsOf(url);
      if (parts === undefined) return failure(url, startMs, 'protocol', `unsupported URL: ${url}`);
      const sent = withJarCookies(req.cookies, url, headers);
      const dispatcher = pool(parts.origin);
      // The generator's own wait (its event loop was behind): blocked, before the hop's timeout starts.
      const held = limit?.enter();
      const heldMs = held !== undefined ? await held : 0;
      const hop = new Hop(timeoutMs, http.maxResponseBytes, keepBody, follow, req.signal, watch);
      const dispatchOpts: Dispatcher.DispatchOptions = {
        path: parts.path,
        method: method as Dispatcher.HttpMethod,
        headers: sent,
        body: body ?? null,
        // The hop's timer is the request's timeout (see UNDICI_TIMEOUTS_OFF). Named fields, not a
        // spread: a spread in the middle of a literal copies through the runtime on every request.
        headersTimeout: UNDICI_TIMEOUTS_OFF.headersTimeout,
        bodyTimeout: UNDICI_TIMEOUTS_OFF.bodyTimeout,
        reset,
      };
      await hop.dispatch(dispatcher, dispatchOpts);
      limit?.leave();
      bytesOut += estimateBytesOut(method, parts.path, parts.origin, sent, body);
      bytesIn += hop.headerBytes + hop.bodyBytes;
      if (hop.connectUs >= 0 && connectUs < 0) connectUs = hop.connectUs;
      if (hop.sentMs >= 0) blockedMs = Math.max(0, blockedMs) + (hop.sentMs - hop.startMs);
      if (heldMs > 0) blockedMs = Math.max(0, blockedMs) + heldMs;
      tls ??= hop.tls;
      // The server closed a kept-alive connection as this request was written on it, as any server
      // may with an idle one: it never read the request, so a client sends it again on another
      // connection (RFC 9112 §9.3.1) rather than report the server's failure. Counted in `resent`.
      const unanswered = hop.error !== undefined && hop.closedUnanswered;
      if (unanswered && resent < MAX_RESENDS && replayable(method, sent) && req.signal?.aborted !== true) {
        resent++;
        continue;
      }
      const result = new Result(hop, url, startMs, blockedMs, bytesIn, bytesOut, redirects, connectUs);
      if (tls !== undefined) result.tls = tls;
      if (resent > 0) result.resent = resent;
      if (hop.error !== undefined) {
        let message = describeError(hop.error);
        if (unanswered && !replayable(method, sent)) message += ` (the server closed the kept-alive connection before answering; a ${method} is not sent again: it is not idempotent)`;
        result.error = { class: classifyError(hop.error), message };
        return result;
      }
      if (req.cookies !== undefined && hop.rawHeaders !== undefined) {
        const setCookie = rawHeaderValues(hop.rawHeaders, 'set-cookie');
        if (setCookie.length > 0) req.cookies.store(url, setCookie);
      }
      if (!follow || !isRedirect(hop.status)) return result;
      const location = rawHeaderValues(hop.rawHeaders, 'location')[0];
      if (location === undefined) return result;
      if (redirects >= maxRedirects) {
        result.error = { class: 'protocol', message: `too many redirects (more than ${maxRedirects})` };
        return result;
      }
      const next = redirected(location, hop.status, { url, origin: parts.origin, method, headers, body });
      if (next === undefined) {
        result.error = { class: 'protocol', message: `invalid redirect location: ${location}` };
        return result;
      }
      redirects++;
      ({ url, method, headers, body } = next);
    }
  }

  async function preconnect(count: number, parallel: number, maxWaitMs: number): Promise<PreconnectResult> {
    const parts = splitUrl(opts.target);
    if (closed || parts === undefined || count <= 0) return { opened: 0, failed: 0 };
    return originPool(parts.origin).preconnect(count, parallel, maxWaitMs);
  }

  async function close(): Promise<void> {
    closed = true;
    const all = [...pools.values()];
    pools.clear();
    await closePools(all);
  }

  return { request, close, preconnect };
}

/** Closes idle connections at once, then each pool, destroying it after a grace period. */
async function closePools(all: readonly OriginPool[]): Promise<void> {
  for (const p of all) p.closeIdle();
  await Promise.all(all.map(async ({ dispatcher: p }) => {
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace'>((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS, 'grace');
    });
    const outcome = await Promise.race([p.close().then(() => 'closed' as const, () => 'closed' as const), graceOver]);
    if (timer) clearTimeout(timer);
    if (outcome === 'grace') await p.destroy().catch(() => undefined);
  }));
}
