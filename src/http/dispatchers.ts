/**
 * undici dispatchers per origin. Each connection is an undici Client whose connector measures the
 * TCP+TLS connect time; the first request written on a fresh connection claims it (see Hop).
 * Timeouts are always explicit: never undici's 300 s defaults.
 */
import { buildConnector, Client, Pool, type Dispatcher } from 'undici';
import type { HttpDefaults } from '../scenario/plan.js';
import type { ConnectTiming, Hop } from './hop.js';

/** How long an idle keep-alive connection stays open, ms. */
export const KEEP_ALIVE_TIMEOUT_MS = 4_000;

/** A Client that knows its connect timing and hands it to the hops it dispatches. */
class TimedClient extends Client {
  private readonly timing: ConnectTiming;

  constructor(origin: URL, options: Client.Options, timing: ConnectTiming) {
    super(origin, options);
    this.timing = timing;
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    (handler as Hop).timing = this.timing;
    return super.dispatch(opts, handler);
  }
}

function timedConnector(base: buildConnector.connector, timing: ConnectTiming): buildConnector.connector {
  return (options, callback) => {
    const t0 = performance.now();
    base(options, (err, socket) => {
      if (err === null) timing.pendingUs = Math.round((performance.now() - t0) * 1000);
      (callback as (e: Error | null, s: unknown) => void)(err, socket);
    });
  };
}

/** The undici options every connection of an origin shares, derived from the plan's HTTP defaults. */
function clientOptions(http: HttpDefaults, connector: buildConnector.connector): Client.Options {
  return {
    connect: connector,
    headersTimeout: http.timeoutMs,
    bodyTimeout: http.timeoutMs,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    keepAliveMaxTimeout: KEEP_ALIVE_TIMEOUT_MS * 2,
    pipelining: 1,
    allowH2: http.http2,
  };
}

/**
 * A pool of `http.connections` connections to one origin (`http://host:port`). With `keepAlive`
 * false every request closes its connection (the client sends `reset` per request).
 */
export function createOriginPool(origin: string, http: HttpDefaults): Dispatcher {
  const base = buildConnector({
    timeout: http.connectTimeoutMs,
    rejectUnauthorized: http.tlsVerify,
    allowH2: http.http2,
    keepAlive: true,
  } as buildConnector.BuildOptions);
  return new Pool(origin, {
    connections: Math.max(1, http.connections),
    factory(o: URL): Dispatcher {
      const timing: ConnectTiming = { pendingUs: -1 };
      return new TimedClient(o, clientOptions(http, timedConnector(base, timing)), timing);
    },
  });
}
