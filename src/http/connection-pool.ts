/**
 * The connections to one origin: up to `max` undici Clients (one connection each), opened on
 * demand, with a queue for requests that find every connection busy.
 *
 * It does what undici's Pool does for rampart, at a cost that does not grow with the number of
 * pools or connections. Measured against Pool (see docs/performance.md):
 * - a Pool preallocates a 2,048-slot request queue (about 16 KB) whatever its size. With
 *   `connectionPolicy: per-vu` every VU has its own pool: 10,000 VUs kept 223 MB alive after a
 *   full collection, 147 MB with this pool, and their GC time fell by a third;
 * - a Pool finds a free connection by walking its clients from the first on every request, so
 *   with every one of 1,000 connections busy each request walks all 1,000.
 * Here the free connections are a stack (O(1) per request) and the queue is an array that grows
 * only when requests wait.
 */
import type { Dispatcher } from 'undici';
import { Fifo } from './fifo.js';
import { connectionCloses } from './turn-budget.js';

/** What a pool needs of a connection: an undici Client. */
export interface PoolClient {
  /**
   * Sends the request, or queues it on this client; false only when the client is busy (it emits
   * `drain` when it is free again). A request it refused at once (onError) leaves it free: true.
   */
  dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean;
  on(event: 'drain', listener: () => void): unknown;
  close(): Promise<void>;
  destroy(err: Error | null): Promise<void>;
}

/** What sends a request: a pool, or one connection. */
export interface RequestDispatcher {
  dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean;
}

interface Waiting {
  readonly opts: Dispatcher.DispatchOptions;
  readonly handler: Dispatcher.DispatchHandler;
}

/** Fails a handler undici-style (onError), for requests the pool itself cannot send. */
function failHandler(handler: Dispatcher.DispatchHandler, err: Error): void {
  (handler as { onError?: (e: Error) => void }).onError?.(err);
}

export class ConnectionPool implements RequestDispatcher {
  readonly #max: number;
  readonly #open: () => PoolClient;
  readonly #clients: PoolClient[] = [];
  /** Clients that can take a request now; a client is here at most once (only after it was free). */
  readonly #free: PoolClient[] = [];
  readonly #queue = new Fifo<Waiting>();
  #closing: Promise<void> | undefined;
  #whenEmpty: (() => void) | undefined;
  #destroyed = false;
  /** Whether a turn's wait before opening connections is under way (see dispatch). */
  #growing = false;

  /**
   * @param max the most connections (clients) the pool opens.
   * @param open creates a client, one connection that connects on its first request.
   */
  constructor(max: number, open: () => PoolClient) {
    this.#max = Math.max(1, Math.floor(max));
    this.#open = open;
  }

  /** Requests waiting for a free connection. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Sends the request on a free connection, or queues it. False when it was queued.
   *
   * With no free connection, the pool opens another (up to `max`) only a turn of the event loop
   * later, for the requests still waiting then. A connection that has just answered is not free
   * yet: undici waits a turn before it reuses a keep-alive connection, so a VU's next request,
   * sent as soon as the previous one is answered, found none free and opened a second connection.
   * Every VU of a `per-vu` load held two; it now reuses its one, as a browser would. The first
   * connection of an empty pool opens at once.
   */
  dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.#destroyed || this.#closing !== undefined) {
      failHandler(handler, new Error(this.#destroyed ? 'the connection pool was destroyed' : 'the connection pool is closed'));
      return false;
    }
    const client = this.#free.pop() ?? (this.#clients.length === 0 ? this.#grow() : undefined);
    if (client === undefined) {
      this.#queue.push({ opts, handler });
      if (!this.#growing && this.#clients.length < this.#max) {
        this.#growing = true;
        setImmediate(this.#growForQueued);
      }
      return false;
    }
    if (client.dispatch(opts, handler)) this.#free.push(client);
    return true;
  }

  /** A turn after requests found no free connection: opens connections for those still waiting. */
  readonly #growForQueued = (): void => {
    this.#growing = false;
    if (this.#destroyed) return;
    while (this.#queue.length > 0) {
      let client: PoolClient | undefined;
      try {
        client = this.#grow();
      } catch (err) {
        // As when a request opened its connection itself: the requests that needed one fail with
        // the error (undici-style, onError), never an exception out of this turn.
        const reason = err instanceof Error ? err : new Error(String(err));
        for (const w of this.#queue.takeAll()) failHandler(w.handler, reason);
        this.#emptied();
        return;
      }
      if (client === undefined) return;
      this.#drained(client);
    }
  };

  /**
   * Waits for the queued and running requests, then closes every connection, taking each close
   * from the process's budget per turn of the event loop (src/http/turn-budget.ts).
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.queued > 0) await new Promise<void>((resolve) => (this.#whenEmpty = resolve));
      await Promise.all(
        this.#clients.map(async (c) => {
          await connectionCloses.take();
          await c.close().catch(() => undefined);
        }),
      );
    })();
    return this.#closing;
  }

  /** Fails the queued requests with `err` and destroys every connection (running requests fail). */
  async destroy(err?: Error): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    const reason = err ?? new Error('the connection pool was destroyed');
    for (const w of this.#queue.takeAll()) failHandler(w.handler, reason);
    this.#whenEmpty?.();
    await Promise.all(this.#clients.map((c) => c.destroy(reason).catch(() => undefined)));
  }

  #grow(): PoolClient | undefined {
    if (this.#clients.length >= this.#max) return undefined;
    const client = this.#open();
    client.on('drain', () => this.#drained(client));
    this.#clients.push(client);
    return client;
  }

  /** `client` is free again: it takes the waiting requests until it is busy, or joins the free ones. */
  #drained(client: PoolClient): void {
    if (this.#destroyed) return;
    for (let w = this.#queue.shift(); w !== undefined; w = this.#queue.shift()) {
      if (!client.dispatch(w.opts, w.handler)) {
        this.#emptied();
        return;
      }
    }
    this.#free.push(client);
    this.#emptied();
  }

  /** Lets a waiting close() go on once nothing is queued. */
  #emptied(): void {
    if (this.#whenEmpty === undefined || this.queued > 0) return;
    const resolve = this.#whenEmpty;
    this.#whenEmpty = undefined;
    resolve();
  }
}
