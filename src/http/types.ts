/**
 * The HTTP layer's public types: what a virtual user hands to the client and what it gets back.
 * Request failures are data: `request()` resolves with an `error` instead of rejecting.
 */

/**
 * Why a request (or a journey step) failed. Transport classes come from the client; `4xx`/`5xx`
 * from the status; `expectation`, `capture` from the journey layer.
 * - refused: nothing listens (ECONNREFUSED), or the host/network is unreachable
 * - reset: the peer closed or reset the connection mid-exchange
 * - timeout: connect, headers, body or the whole request took longer than allowed
 * - dns: the host name does not resolve
 * - tls: handshake or certificate failure
 * - proxy: the forward proxy could not be reached, refused, or asked for credentials (407)
 * - protocol: malformed response, response too large, anything else the transport rejects
 * - aborted: the run stopped the request (interrupt, graceful stop over)
 * - closed: a WebSocket the server closed (a close frame) while a step needed it
 */
export type ErrorClass =
  | 'refused'
  | 'reset'
  | 'timeout'
  | 'dns'
  | 'tls'
  | 'proxy'
  | 'protocol'
  | '4xx'
  | '5xx'
  | 'expectation'
  | 'capture'
  | 'aborted'
  /** A Kafka topic that does not exist (kafka steps). */
  | 'not-found'
  /** A WebSocket closed by the server mid-step (ws steps). */
  | 'closed';

/** Every error class, for validation of `retry.on` and threshold tag filters. */
export const ERROR_CLASSES: readonly ErrorClass[] = [
  'refused', 'reset', 'timeout', 'dns', 'tls', 'proxy', 'protocol', '4xx', '5xx', 'expectation', 'capture', 'aborted', 'not-found', 'closed',
];

/**
 * A cookie jar seen from the client: consulted and fed on every hop of a redirect chain, so cookies
 * set by a 302 reach the next hop. The journey layer implements it with a per-VU tough-cookie jar.
 */
export interface CookieHook {
  /** The `Cookie` header value for this absolute URL, or undefined when the jar has none. */
  cookieHeader(url: string): string | undefined;
  /** Store the `set-cookie` header(s) of a response received from this URL. */
  store(url: string, setCookie: string | readonly string[]): void;
}

/** One request. */
export interface HttpRequest {
  readonly method: string;
  /** Absolute `http(s)://` URL, query included. */
  readonly url: string;
  /** Header names lower-case. A `cookie` header is sent as given, after the jar's cookies. */
  readonly headers: Record<string, string>;
  readonly body?: string | Uint8Array;
  /** Whole-request timeout (connect included), ms. Default: the client's `http.timeoutMs`. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Follow redirects for this request; default `http.followRedirects`. */
  readonly followRedirects?: boolean;
  /** Default `http.maxRedirects`. */
  readonly maxRedirects?: number;
  /** The VU's cookie jar; absent when cookies are off. */
  readonly cookies?: CookieHook;
  /** Count the body bytes but do not keep them (nothing reads the body): `body` is then empty. */
  readonly discardBody?: boolean;
}

/**
 * Timings of one request, integer microseconds. Over a redirect chain they span every hop.
 * `totalUs` and `ttfbUs` start when the request is written to its connection: the time it waited for
 * one (the pool's queue, opening a connection) is `blockedUs`, not the service's latency.
 */
export interface HttpTimings {
  /** From writing the request to the last body byte (or the failure); the whole call when it was never written. */
  readonly totalUs: number;
  /** From writing the request to the final response's headers; equals totalUs when no response arrived. */
  readonly ttfbUs: number;
  /** Waiting for a connection before the request was written (pool queue and connect); absent when it never was. */
  readonly blockedUs?: number;
  /** TCP (+TLS) connect time when this request opened a new connection; absent on a reused one. */
  readonly connectUs?: number;
}

/** The TLS version and cipher a connection negotiated (e.g. `TLSv1.3`, `TLS_AES_256_GCM_SHA384`). */
export interface TlsInfo {
  readonly version: string;
  readonly cipher: string;
}

export interface HttpResult {
  /** 0 when no response arrived. */
  readonly status: number;
  /** Response headers, names lower-case; repeated headers (set-cookie) as arrays. Parsed on first read. */
  readonly headers: Record<string, string | string[]>;
  /** The body (empty when `discardBody`, or when the failure happened before it). */
  readonly body: Buffer;
  /** Bytes received: status line, headers and body, over every hop. */
  readonly bytesIn: number;
  /** Bytes sent: request line, headers and body (an estimate of the wire size), over every hop. */
  readonly bytesOut: number;
  readonly timings: HttpTimings;
  /** The URL of the final response (differs from the request's after redirects). */
  readonly url: string;
  /** Redirects followed. */
  readonly redirects: number;
  /** What TLS the request's connection negotiated, when this request is the first on a new TLS connection. */
  readonly tls?: TlsInfo;
  /**
   * Times the request was written again on another connection because the server closed the
   * kept-alive one under it before answering (an idle connection it closed as the request was on
   * its way). Only idempotent requests; absent when none.
   */
  readonly resent?: number;
  /** Set when the request failed at the transport level. 4xx/5xx are NOT set here: see the status. */
  readonly error?: { readonly class: ErrorClass; readonly message: string };
}

/** What {@link HttpClient.preconnect} did. */
export interface PreconnectResult {
  /** Connections opened and waiting for the first requests. */
  readonly opened: number;
  /** Connections that could not be opened; the first error is in `error`. */
  readonly failed: number;
  readonly error?: Error;
}

export interface HttpClient {
  /** Never rejects for network or HTTP failures: they come back in `result.error` / `status`. */
  request(req: HttpRequest): Promise<HttpResult>;
  /**
   * Opens up to `count` connections to the target's origin ahead of the load, `parallel` at a time,
   * sending nothing on them; the first requests then use them. Waits at most `maxWaitMs`.
   */
  preconnect?(count: number, parallel: number, maxWaitMs: number): Promise<PreconnectResult>;
  /** Closes every connection; pending requests finish first (or are aborted after `graceMs`). */
  close(): Promise<void>;
}
