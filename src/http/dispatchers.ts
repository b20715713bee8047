/**
 * The connections of each origin: a ConnectionPool of undici Clients (one connection each), whose
 * connector measures the TCP+TLS connect time; the first request written on a fresh connection
 * claims it (see Hop).
 * Timeouts are always explicit: never undici's 300 s defaults.
 */
import type { Socket } from 'node:net';
import type { Client, buildConnector, Dispatcher } from 'undici';
import { UndiciClient } from './undici-parts.js';
import type { HttpDefaults } from '../scenario/plan.js';
import { originConnector, tlsInfoOf } from './connect.js';
import type { ConnectTiming, Hop } from './hop.js';
import type { PreconnectResult } from './types.js';
import { ConnectionPool } from './connection-pool.js';

/** How long an idle keep-alive connection stays open, ms. */
export const KEEP_ALIVE_TIMEOUT_MS = 4_000;

/** A Client that knows its connect timing and hands it to the hops it dispatches. */
class TimedClient extends UndiciClient {
  private readonly timing: ConnectTiming;

  constructor(origin: URL, options: Client.Options, timing: ConnectTiming) {
    super(origin, options);
    this.timing = timing;
  }

  /**
   * False when the connection is busy (it emits `drain` once free). undici refuses a request it
   * cannot send (an invalid header value) with onError and false while the connection stays idle
   * and never emits `drain`: that counts as free, or each such request would take a connection out
   * of its pool for good.
   */
  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    (handler as Hop).timing = this.timing;
    return super.dispatch(opts, handler) || (handler as Hop).isFinished;
  }
}

/**
 * Connections opened before the load starts (see {@link OriginPool.preconnect}): the pool's clients
 * take one when they connect instead of connecting then, so the first requests of a run neither
 * wait for a handshake nor storm the target's accept queue. A connection the server closes while it
 * waits is dropped.
 */
class SocketStash {
  /** Waiting connections and the listener that drops each one if the server closes it. */
  private readonly idle = new Map<Socket, () => void>();

  put(socket: Socket): void {
    const drop = (): void => {
      this.idle.delete(socket);
      socket.destroy();
    };
    socket.once('close', drop).once('end', drop).once('error', drop);
    this.idle.set(socket, drop);
  }

  /** A live stashed connection, now owned by the caller, or undefined. */
  take(): Socket | undefined {
    for (const [socket, drop] of this.idle) {
      this.idle.delete(socket);
      socket.off('close', drop).off('end', drop).off('error', drop);
      if (!socket.destroyed && socket.readyState === 'open') return socket;
      socket.destroy();
    }
    return undefined;
  }

  clear(): void {
    for (const s of [...this.idle.keys()]) s.destroy();
    this.idle.clear();
  }
}

function timedConnector(base: buildConnector.connector, timing: ConnectTiming, stash: SocketStash): buildConnector.connector {
  return (options, callback) => {
    const ready = stash.take();
    if (ready !== undefined) {
      // Opened ahead of the load: no connect time belongs to the request that gets it, its TLS does.
      timing.pendingTls = tlsInfoOf(ready);
      timing.socket = ready;
      timing.writes = 0;
      queueMicrotask(() => (callback as (e: Error | null, s: unknown) => void)(null, ready));
      return;
    }
    const t0 = performance.now();
    base(options, (err, socket) => {
      if (err === null) {
        timing.pendingUs = Math.round((performance.now() - t0) * 1000);
        timing.pendingTls = socket !== null ? tlsInfoOf(socket) : undefined;
        timing.socket = (socket ?? undefined) as Socket | undefined;
        timing.writes = 0;
      }
      (callback as (e: Error | null, s: unknown) => void)(err, socket);
    });
  };
}

/**
 * undici's headers and body timeouts, turned off (0) on every connection and every request.
 * rampart's timeout is the hop's one timer (src/http/hop.ts): it starts before the request waits for
 * a connection and bounds the whole exchange, headers and body, so undici's timers, started later
 * and as long, never fired first. They still cost an undici timer object per request that stays
 * listed until undici's next timer tick (0.5–1 s), which outlives young-generation collections: at
 * thousands of requests a second they were half to three quarters of what a load promoted to the
 * old generation, there to be marked again.
 */
export const UNDICI_TIMEOUTS_OFF = { headersTimeout: 0, bodyTimeout: 0 } as const;

/**
 * The undici options every connection of an origin shares, derived from the plan's HTTP defaults.
 * undici's own headers and body timeouts are off ({@link UNDICI_TIMEOUTS_OFF}): each request's hop
 * bounds the whole exchange itself.
 */
function clientOptions(http: HttpDefaults, connector: buildConnector.connector): Client.Options {
  return {
    connect: connector,
    ...UNDICI_TIMEOUTS_OFF,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    keepAliveMaxTimeout: KEEP_ALIVE_TIMEOUT_MS * 2,
    pipelining: 1,
    allowH2: http.http2,
  };
}

/** The connections to one origin. */
export interface OriginPool {
  readonly dispatcher: ConnectionPool;
  /**
   * Opens up to `count` connections (TCP, and TLS for https) without sending anything on them, at
   * most `parallel` at once, for the pool to use before it opens any of its own. Resolves when all
   * are settled or after `maxWaitMs`; a connection that opens later still joins the stash.
   */
  preconnect(count: number, parallel: number, maxWaitMs: number): Promise<PreconnectResult>;
  /** Closes the connections still waiting in the stash. */
  closeIdle(): void;
}

/**
 * A pool of `http.connections` connections to one origin (`http://host:port`). With `keepAlive`
 * false every request closes its connection (the client sends `reset` per request).
 */
export function createOriginPool(origin: string, http: HttpDefaults): OriginPool {
  const url = new URL(origin);
  // TLS settings, the proxy tunnel and http.hosts: the load's connections and the ones opened ahead of it alike.
  const base = originConnector(url, http);
  const stash = new SocketStash();
  const dispatcher = new ConnectionPool(http.connections, () => {
    const timing: ConnectTiming = { pendingUs: -1, socket: undefined, writes: 0 };
    return new TimedClient(url, clientOptions(http, timedConnector(base, timing, stash)), timing);
  });
  const connectOne = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
      const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
      base({ host: url.host, hostname, protocol: url.protocol, port }, (err, socket) => {
        if (err !== null || socket === null) return reject(err ?? new Error('no socket'));
        stash.put(socket as Socket);
        resolve();
      });
    });
  return {
    dispatcher,
    closeIdle: () => stash.clear(),
    async preconnect(count, parallel, maxWaitMs) {
      let opened = 0;
      let failed = 0;
      let error: Error | undefined;
      let next = 0;
      const worker = async (): Promise<void> => {
        // A target that refuses the first connections will refuse the rest: stop early.
        while (next < count && failed === 0) {
          next++;
          try {
            await connectOne();
            opened++;
          } catch (err) {
            failed++;
            error ??= err instanceof Error ? err : new Error(String(err));
          }
        }
      };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, maxWaitMs);
      });
      await Promise.race([Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, count)) }, worker)), timeout]);
      clearTimeout(timer);
      return { opened, failed, ...(error !== undefined ? { error } : {}) };
    },
  };
}
