/**
 * Keeps the generator's event loop on time when its VUs ask for more than one core can send. Every
 * response that arrives in one turn of the event loop is handled in that turn: with 10,000 VUs the
 * responses of a thousand requests land together, a turn takes hundreds of ms, and every request
 * measured in it carries that wait as if the service had been slow.
 *
 * The limit watches the loop: a probe timer measures how late it fires. While the loop is on time
 * there is no limit at all. When it runs late twice in a row, the requests allowed in flight are
 * halved (a turn's work grows with the responses in it). While the loop is on time and
 * something waits, the limit grows by a tenth per probe; once nothing has waited for a second, it is
 * lifted. Two places wait for it:
 *
 * - a request over the limit waits before it is written (`enter`): that wait is the generator's, in
 *   `http.blocked`, never in `http.latency`;
 * - a closed-model VU waits before its next iteration (`park`) while the limit is full, holding
 *   nothing of an iteration: thousands of VUs waiting mid-request each keep an iteration's objects
 *   alive long enough for the garbage collector to copy and promote them all.
 *
 * And an open-model arrival waits as its due time while it {@link InFlightLimit.holdsArrivals | holds arrivals}.
 *
 * One limit per run, shared by all its clients (a connection per VU is still one event loop).
 */

import { Fifo } from './fifo.js';

/** How often the probe looks at the loop (ms). */
export const PROBE_MS = 10;
/** The probe's lateness (ms) above which the loop counts as late. */
export const LATE_MS = 15;
/** The lateness (ms) below which a limit with something waiting grows. */
export const ON_TIME_MS = 3;
/** The lowest limit: even a slow journey keeps this many requests in flight. */
export const MIN_LIMIT = 32;
/** Waiting iterations let go per turn of the event loop when the load stops. */
export const OPEN_BATCH = 16;
/** Probes in a row with nothing waiting after which the limit is lifted (about a second). */
export const LIFT_AFTER_PROBES = 100;
/** Probes per measure of the event loop's busy share (about 50 ms). */
export const BUSY_EVERY_PROBES = 5;
/** The busy share from which arrivals are held while requests wait for connections (see holdsArrivals). */
export const HOLD_BUSY = 0.9;

/** What the limit held back over a run (the report's `generator.heldBack`). */
export interface HeldBackStats {
  /** Requests that waited for the limit before they were written. */
  readonly requests: number;
  /** Closed-model iterations that waited for the limit before they started. */
  readonly iterations: number;
  /** Their waits, ms. */
  readonly totalWaitMs: number;
  readonly maxWaitMs: number;
  /** The lowest limit set (requests in flight); 0 when it never was. */
  readonly lowestLimit: number;
  /** Times the limit was set after the loop had run free. */
  readonly engaged: number;
}

export interface InFlightLimitOptions {
  /** Default performance.now. */
  readonly now?: () => number;
  /** Arms the probe (default: an unref'd setTimeout); a test drives it by hand. */
  readonly schedule?: (fn: () => void, ms: number) => void;
  /**
   * Requests in flight from which open-model arrivals may be held (see holdsArrivals): twice the
   * connections of a shared pool, so that as many again wait for one. Default Infinity: never.
   */
  readonly holdArrivalsFrom?: number;
  /** The event loop's busy share since the last call, 0–1 (default: performance.eventLoopUtilization). */
  readonly busy?: () => number;
}

/** The event loop's busy share since the previous call. */
function loopBusy(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    return utilization;
  };
}

/**
 * What waits for room: a request to be written (`enter`), or a closed-model VU before its next
 * iteration (`park`). A VU waits in the queue as itself: thousands of VUs held back each kept a
 * promise, its resolvers and the awaiting frame's reaction alive through their waits, and every
 * young-generation collection copied them.
 */
export interface RoomWaiter {
  /** When it began to wait (performance.now(), ms); set by {@link InFlightLimit.park} for a VU. */
  since: number;
  /** There is room (or the load stops): its next iteration may start. Never called from `park`. */
  go(waitedMs: number): void;
}

export class InFlightLimit {
  #limit = Infinity;
  #inFlight = 0;
  /** Requests waiting to be written. */
  readonly #requests = new Fifo<RoomWaiter>();
  /** Closed-model VUs waiting to start an iteration. */
  readonly #rooms = new Fifo<RoomWaiter>();
  /** VUs let through `park` since the last probe: their requests are coming (a bound on the burst). */
  #starting = 0;
  #armed = false;
  #lastProbe = 0;
  #lateProbes = 0;
  #quietProbes = 0;
  #heldRequests = 0;
  #heldIterations = 0;
  #totalWaitMs = 0;
  #maxWaitMs = 0;
  #lowest = Infinity;
  #engaged = 0;
  #busyShare = 0;
  #busyProbes = 0;
  readonly #holdFrom: number;
  readonly #busy: () => number;
  readonly #now: () => number;
  readonly #schedule: (fn: () => void, ms: number) => void;
  readonly #probe = (): void => this.#onProbe();

  constructor(opts: InFlightLimitOptions = {}) {
    this.#now = opts.now ?? (() => performance.now());
    this.#schedule = opts.schedule ?? ((fn, ms) => void setTimeout(fn, ms).unref());
    this.#holdFrom = opts.holdArrivalsFrom ?? Infinity;
    this.#busy = opts.busy ?? loopBusy();
  }

  /**
   * Whether an open-model arrival should wait before its journey starts: the event loop was busy at
   * least {@link HOLD_BUSY} of the last ~50 ms and requests in flight, or waiting for this limit,
   * have reached `holdArrivalsFrom` (as many wait for a connection as the pool has). A journey started then only joins the queue for
   * a connection, and a thousand of them waiting, each with its frames, timers and scope, made every
   * request cost 3–4× the CPU at 10,000 arrivals a second, so that a load that fell behind stayed
   * behind. Held as a due time instead, it costs nothing until a connection is near. A load on time,
   * or one behind a slow service (its loop idle), never holds: its waits stay in `http.blocked`.
   */
  holdsArrivals(): boolean {
    return this.#inFlight + this.#requests.length >= this.#holdFrom && this.#busyShare >= HOLD_BUSY;
  }

  /** Requests in flight now (entered and not left). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The requests allowed in flight now; Infinity while the loop is on time. */
  get limit(): number {
    return this.#limit;
  }

  /** Requests and iterations waiting now. */
  get waiting(): number {
    return this.#requests.length + this.#rooms.length;
  }

  /**
   * Takes a place for one request. Undefined: it may go at once (no promise on the hot path).
   * Otherwise a promise of the ms it waited, resolved when a place is free.
   */
  enter(): Promise<number> | undefined {
    if (!this.#armed) this.#arm();
    if (this.#starting > 0) this.#starting--;
    if (this.#inFlight < this.#limit && this.#requests.length === 0) {
      this.#inFlight++;
      return undefined;
    }
    const since = this.#now();
    return new Promise<number>((go) => this.#requests.push({ since, go }));
  }

  /** Gives back the place of a request that ended (every `enter` is paired with one `leave`). */
  leave(): void {
    this.#inFlight--;
    this.#admit();
  }

  /**
   * Before a closed-model iteration: false when it may start now; true when `waiter` waits for room,
   * and its `go` is called once the limit has some (or `openAll` is called).
   */
  park(waiter: RoomWaiter): boolean {
    if (this.#limit === Infinity || (this.#rooms.length === 0 && this.#inFlight + this.#requests.length + this.#starting < this.#limit)) return false;
    if (!this.#armed) this.#arm();
    waiter.since = this.#now();
    this.#rooms.push(waiter);
    return true;
  }

  /**
   * Lets every iteration waiting now go (a load is stopping: its VUs see it and end), {@link OPEN_BATCH}
   * per turn of the event loop: ten thousand VUs ending at once (each closing its connections)
   * would stall the loop for a second. Iterations that wait later (another load block's, still
   * running) wait for room as before.
   */
  openAll(): void {
    this.#open(this.#rooms.length);
  }

  /** Lets the first `n` waiting iterations go, a batch per turn (later ones still wait for room). */
  #open(n: number): void {
    const now = this.#now();
    const batch = Math.min(n, OPEN_BATCH);
    for (let i = 0; i < batch; i++) {
      const w = this.#rooms.shift();
      if (w === undefined) return;
      w.go(now - w.since);
    }
    if (n > batch) setImmediate(() => this.#open(n - batch));
  }

  stats(): HeldBackStats {
    const r3 = (n: number): number => Math.round(n * 1000) / 1000;
    return {
      requests: this.#heldRequests,
      iterations: this.#heldIterations,
      totalWaitMs: r3(this.#totalWaitMs),
      maxWaitMs: r3(this.#maxWaitMs),
      lowestLimit: this.#lowest === Infinity ? 0 : this.#lowest,
      engaged: this.#engaged,
    };
  }

  /** Lets a waiter go, counting its wait. */
  #release(w: RoomWaiter, now: number): void {
    const waited = now - w.since;
    this.#totalWaitMs += waited;
    if (waited > this.#maxWaitMs) this.#maxWaitMs = waited;
    w.go(waited);
  }

  #admit(): void {
    if (this.waiting === 0) return;
    const now = this.#now();
    // Requests first: each holds an iteration already under way.
    for (let w; this.#inFlight < this.#limit && (w = this.#requests.shift()) !== undefined; ) {
      this.#inFlight++;
      this.#heldRequests++;
      this.#release(w, now);
    }
    for (let w; this.#requests.length === 0 && this.#inFlight + this.#starting < this.#limit && (w = this.#rooms.shift()) !== undefined; ) {
      this.#starting++;
      this.#heldIterations++;
      this.#release(w, now);
    }
  }

  #arm(): void {
    this.#armed = true;
    // The busy share is measured from here: not over the idle time before.
    this.#busy();
    this.#busyProbes = 0;
    this.#lastProbe = this.#now();
    this.#schedule(this.#probe, PROBE_MS);
  }

  #onProbe(): void {
    const now = this.#now();
    const late = now - this.#lastProbe - PROBE_MS;
    this.#lastProbe = now;
    this.#starting = 0;
    if (++this.#busyProbes >= BUSY_EVERY_PROBES) {
      this.#busyProbes = 0;
      this.#busyShare = this.#busy();
    }
    const waiting = this.waiting > 0;
    if (late > LATE_MS) {
      this.#quietProbes = 0;
      // One late probe is a pause (a collection, a compile); two in a row are the turns themselves.
      if (++this.#lateProbes >= 2 && this.#inFlight > MIN_LIMIT) {
        if (this.#limit === Infinity) this.#engaged++;
        this.#setLimit(Math.min(this.#limit, this.#inFlight / 2));
      }
    } else {
      this.#lateProbes = 0;
      if (waiting) {
        this.#quietProbes = 0;
        if (late < ON_TIME_MS) this.#setLimit(this.#limit * 1.1 + 1);
      } else if (this.#limit !== Infinity && ++this.#quietProbes >= LIFT_AFTER_PROBES) {
        this.#limit = Infinity;
        this.#quietProbes = 0;
      }
    }
    this.#admit();
    // Idle (nothing in flight, nothing waiting, no limit): the next enter arms the probe again.
    if (this.#inFlight === 0 && this.waiting === 0 && this.#limit === Infinity) {
      this.#armed = false;
      this.#busyShare = 0;
    }
    else this.#schedule(this.#probe, PROBE_MS);
  }

  #setLimit(n: number): void {
    const limit = Math.max(MIN_LIMIT, Math.floor(n));
    this.#limit = limit;
    if (limit < this.#lowest) this.#lowest = limit;
  }
}
