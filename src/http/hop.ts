/**
 * One HTTP exchange (one hop of a redirect chain) driven through undici's core dispatch handler
 * interface — the callbacks undici's client calls directly, so nothing wraps or converts them.
 * The handler object carries every piece of state: no closures per request, body chunks kept
 * as the parser hands them (no copy unless there are several), headers left raw until read.
 * A compressed body that somebody reads is decoded as it arrives (see decode.ts); `bodyBytes`
 * stays the bytes on the wire, and `maxBytes` bounds both those and the decoded size.
 */
import type { Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import type { RequestDispatcher } from './connection-pool.js';
import { TransportError } from './classify.js';
import { BodyDecoder, codingsToUndo, rawContentEncoding, type DecoderSink } from './decode.js';
import type { AbortWatch } from './abort-watch.js';
import type { TlsInfo } from './types.js';

/** Per-connection timing shared between a client's connector and the hop it serves first. */
export interface ConnectTiming {
  /** Connect time (µs) of the newest connection not yet claimed by a request, or -1. */
  pendingUs: number;
  /** The TLS of the newest connection not yet claimed by a request (undefined: none, or plain TCP). */
  pendingTls?: TlsInfo | undefined;
  /** The connection's current socket (undefined until it first connects). */
  socket: Socket | undefined;
  /** Requests written on that socket so far. */
  writes: number;
}

/** The transport errors of a connection the server closed (or reset) under a request. */
const CLOSED_CODES: ReadonlySet<unknown> = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

function onHopTimeout(hop: Hop): void {
  hop.fail(new TransportError('RAMPART_TIMEOUT', `request timed out after ${hop.timeoutMs} ms`));
}

/** A redirect status: the client follows it (when it follows redirects) and never reads its body. */
export function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** Mutable state of one hop; the client reads it after `done` resolves. */
export class Hop implements DecoderSink {
  /** This hop's place in its signal's AbortWatch list, or -1. */
  watchIndex = -1;
  /** Set by the dispatching client (see dispatchers.ts) before undici calls onConnect. */
  timing: ConnectTiming | undefined = undefined;
  status = 0;
  rawHeaders: Buffer[] | undefined = undefined;
  headerBytes = 0;
  /** Body bytes on the wire (still encoded when the response is compressed). */
  bodyBytes = 0;
  /** Body bytes after decoding (only counted for an encoded body that is kept). */
  decodedBytes = 0;
  /** The kept body: decoded when the response was compressed. */
  chunks: Buffer[] = [];
  /** performance.now() at the start, at the headers, at the end (ms). */
  readonly startMs: number;
  headersMs = -1;
  endMs = -1;
  /** performance.now() when undici took the request to write it on a connection (onConnect), or -1. */
  sentMs = -1;
  connectUs = -1;
  /** The TLS of the connection this hop was the first request on. */
  tls: TlsInfo | undefined = undefined;
  /** The socket this hop was written on, when an earlier request had been written on it too. */
  private reusedSocket: Socket | undefined = undefined;
  /** That socket's bytes read when this hop was written on it. */
  private readAtWrite = 0;
  error: unknown = undefined;
  readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly keepBody: boolean;
  private readonly followRedirects: boolean;
  /** The content codings to undo (outermost first), set only for an encoded body that is kept. */
  private codings: string[] | undefined = undefined;
  private decoder: BodyDecoder | undefined = undefined;
  private readonly signal: AbortSignal | undefined;
  private abortFn: ((err?: Error) => void) | undefined = undefined;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  /** True once the exchange completed or failed (also when undici refused the request at once). */
  get isFinished(): boolean {
    return this.finished;
  }
  private resolveFn: ((hop: Hop) => void) | undefined = undefined;

  private readonly watch: AbortWatch;

  constructor(timeoutMs: number, maxBytes: number, keepBody: boolean, followRedirects: boolean, signal: AbortSignal | undefined, watch: AbortWatch) {
    this.timeoutMs = timeoutMs;
    this.maxBytes = maxBytes;
    this.keepBody = keepBody;
    this.followRedirects = followRedirects;
    this.signal = signal;
    this.startMs = performance.now();
    this.watch = watch;
    this.timer = setTimeout(onHopTimeout, timeoutMs, this);
    if (signal) watch.add(signal, this);
  }

  /** Resolves (never rejects) once the exchange completed or failed. */
  dispatch(dispatcher: RequestDispatcher, opts: Dispatcher.DispatchOptions): Promise<Hop> {
    return new Promise<Hop>((resolve) => {
      this.resolveFn = resolve;
      if (this.signal?.aborted) this.fail(new TransportError('RAMPART_ABORTED', 'request aborted'));
      // undici reports synchronous failures through onError; a throw is answered the same way.
      else {
        try {
          dispatcher.dispatch(opts, this);
        } catch (err) {
          this.finish(err instanceof Error ? err : new Error(String(err)));
        }
      }
    });
  }

  /** The run's signal fired. */
  abort(): void {
    this.fail(new TransportError('RAMPART_ABORTED', 'request aborted'));
  }

  /** Ends the exchange with this error, closing the connection if one is in use. */
  fail(err: Error): void {
    if (this.finished) return;
    if (this.abortFn) {
      // undici errors the request (→ onError) and destroys the socket.
      this.abortFn(err);
      if (!this.finished) this.finish(err);
    } else {
      // Still queued in the pool: answer now; if undici writes it later, onConnect aborts it.
      this.finish(err);
    }
  }

  // ---- undici dispatch handler ----

  onConnect(abort: (err?: Error) => void): void {
    if (this.finished) {
      abort(this.error instanceof Error ? this.error : new TransportError('RAMPART_ABORTED', 'request aborted'));
      return;
    }
    this.abortFn = abort;
    this.sentMs = performance.now();
    const t = this.timing;
    if (t !== undefined && t.pendingUs >= 0) {
      this.connectUs = t.pendingUs;
      t.pendingUs = -1;
    }
    if (t !== undefined && t.pendingTls !== undefined) {
      this.tls = t.pendingTls;
      t.pendingTls = undefined;
    }
    if (t !== undefined && t.socket !== undefined) {
      const writes = t.writes;
      t.writes = writes + 1;
      if (writes > 0) {
        this.reusedSocket = t.socket;
        this.readAtWrite = t.socket.bytesRead;
      }
    }
  }

  /**
   * True when this hop failed because the server closed its kept-alive connection before a byte of
   * the answer came back: written on a connection an earlier request had used, closed or reset, and
   * nothing read from it since. That is what a client sees when the server closes an idle
   * connection while the request is on its way (a keep-alive timeout, a server shutting down): the
   * server never read the request. HTTP/2 connections do not count (their streams share the bytes).
   */
  get closedUnanswered(): boolean {
    const s = this.reusedSocket;
    if (s === undefined || this.headersMs >= 0 || !CLOSED_CODES.has((this.error as { code?: unknown } | undefined)?.code)) return false;
    return s.bytesRead === this.readAtWrite && (s as { alpnProtocol?: unknown }).alpnProtocol !== 'h2';
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true; // 1xx informational: the final response follows
    this.headersMs = performance.now();
    this.status = statusCode;
    this.rawHeaders = rawHeaders;
    // "HTTP/1.1 200 OK\r\n" + "name: value\r\n"… + "\r\n": exact on HTTP/1.1 (chunk framing aside)
    let n = 17 + statusText.length;
    for (let i = 0; i < rawHeaders.length; i++) n += (rawHeaders[i] as Buffer).length + 2;
    this.headerBytes = n;
    // Decode only a body that is read: kept, and not a redirect about to be followed.
    if (this.keepBody && !(this.followRedirects && isRedirect(statusCode))) {
      const coding = rawContentEncoding(rawHeaders);
      if (coding !== undefined) this.codings = codingsToUndo(coding);
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    const total = this.bodyBytes + chunk.length;
    if (total > this.maxBytes) {
      this.bodyBytes = total;
      this.fail(new TransportError('RAMPART_TOO_LARGE', `response too large: more than ${this.maxBytes} bytes`));
      return false;
    }
    this.bodyBytes = total;
    if (!this.keepBody) return true;
    const codings = this.codings;
    if (codings === undefined) this.chunks.push(chunk);
    else (this.decoder ??= new BodyDecoder(codings, this)).write(chunk);
    return !this.finished;
  }

  onComplete(): void {
    const d = this.decoder;
    if (d === undefined || this.finished) {
      this.finish(undefined);
      return;
    }
    // The exchange is over (latency ends here); the hop ends when the decoder has its last byte.
    this.endMs = performance.now();
    this.abortFn = undefined; // the connection went back to the pool: a late failure must not touch it
    d.end();
  }

  // ---- body decoder sink ----

  decoded(chunk: Buffer): void {
    if (this.finished) return;
    const total = this.decodedBytes + chunk.length;
    this.decodedBytes = total;
    if (total > this.maxBytes) {
      this.fail(new TransportError('RAMPART_TOO_LARGE', `response too large: more than ${this.maxBytes} bytes once decoded (content-encoding ${(this.codings ?? []).join(', ')})`));
      return;
    }
    this.chunks.push(chunk);
  }

  decodedEnd(): void {
    this.finish(undefined);
  }

  decodeFailed(message: string): void {
    this.fail(new TransportError('RAMPART_DECODE', message));
  }

  onError(err: Error): void {
    this.finish(err);
  }

  /** The body as one Buffer: the single chunk itself when there is one. */
  body(): Buffer {
    const c = this.chunks;
    if (c.length === 0) return EMPTY;
    if (c.length === 1) return c[0] as Buffer;
    return Buffer.concat(c);
  }

  private finish(err: unknown): void {
    if (this.finished) return;
    this.finished = true;
    if (this.endMs < 0) this.endMs = performance.now();
    if (err !== undefined) this.error = err;
    if (this.decoder !== undefined) this.decoder.destroy();
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.signal) this.watch.remove(this.signal, this);
    const resolve = this.resolveFn;
    this.resolveFn = undefined;
    if (resolve) resolve(this);
  }
}

const EMPTY = Buffer.alloc(0);
