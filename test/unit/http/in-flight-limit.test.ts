/**
 * The limit on requests in flight (src/http/in-flight-limit.ts), driven by hand: a clock that moves
 * when told, and a probe that fires when told, so "the loop ran late" is a number, not a machine.
 */
import { describe, expect, it } from 'vitest';
import { BUSY_EVERY_PROBES, HOLD_BUSY, InFlightLimit, type RoomWaiter, LATE_MS, LIFT_AFTER_PROBES, MIN_LIMIT, OPEN_BATCH, PROBE_MS } from '../../../src/http/in-flight-limit.js';

function driven(): { limit: InFlightLimit; now(): number; advance(ms: number): void; probe(lateMs?: number): void; armed(): boolean } {
  let now = 1_000;
  let pending: (() => void) | undefined;
  const limit = new InFlightLimit({ now: () => now, schedule: (fn) => void (pending = fn) });
  return {
    limit,
    now: () => now,
    advance: (ms) => void (now += ms),
    // The probe fires PROBE_MS after it was armed, plus how late the loop was.
    probe: (lateMs = 0) => {
      const fn = pending;
      if (fn === undefined) throw new Error('no probe armed');
      pending = undefined;
      now += PROBE_MS + lateMs;
      fn();
    },
    armed: () => pending !== undefined,
  };
}

/** Enters `n` requests that may all go at once (their promises would be a wait). */
function enterNow(l: InFlightLimit, n: number): void {
  for (let i = 0; i < n; i++) expect(l.enter()).toBeUndefined();
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A VU waiting for room; `onGo` runs when the limit lets it go. */
const waiter = (onGo: () => void = () => undefined): RoomWaiter => ({ since: -1, go: onGo });

describe('the limit on requests in flight', () => {
  it('sets no limit while the loop is on time, however many requests are in flight', () => {
    const d = driven();
    enterNow(d.limit, 5_000);
    for (let i = 0; i < 50; i++) d.probe(LATE_MS - 1);
    expect(d.limit.limit).toBe(Infinity);
    expect(d.limit.enter()).toBeUndefined();
    expect(d.limit.stats()).toEqual({ requests: 0, iterations: 0, totalWaitMs: 0, maxWaitMs: 0, lowestLimit: 0, engaged: 0 });
  });

  it('takes one late probe for a pause, and two in a row for an overloaded loop', () => {
    const d = driven();
    enterNow(d.limit, 1_000);
    d.probe(200);
    expect(d.limit.limit).toBe(Infinity);
    d.probe(0);
    d.probe(200);
    expect(d.limit.limit).toBe(Infinity);
    d.probe(200);
    // Halved.
    expect(d.limit.limit).toBe(500);
    d.probe(200);
    expect(d.limit.limit).toBe(500);
    expect(d.limit.stats().engaged).toBe(1);
    expect(d.limit.stats().lowestLimit).toBe(500);
  });

  it('halves the requests in flight, never below its floor', () => {
    const d = driven();
    enterNow(d.limit, 1_000);
    d.probe(LATE_MS + 1);
    d.probe(LATE_MS + 1);
    expect(d.limit.limit).toBe(500);
    // Still late with 500 in flight: halved again.
    for (let i = 0; i < 500; i++) d.limit.leave();
    d.probe(LATE_MS + 1);
    expect(d.limit.limit).toBe(250);
    const few = driven();
    enterNow(few.limit, MIN_LIMIT + 1);
    few.probe(500);
    few.probe(500);
    expect(few.limit.limit).toBe(MIN_LIMIT);
  });

  it('does not limit a loop that is late with few requests in flight (the lateness is not theirs)', () => {
    const d = driven();
    enterNow(d.limit, MIN_LIMIT);
    for (let i = 0; i < 5; i++) d.probe(500);
    expect(d.limit.limit).toBe(Infinity);
  });

  it('holds requests over the limit before they are written, first come first served, and counts their wait', async () => {
    const d = driven();
    enterNow(d.limit, 100);
    d.probe(100);
    d.probe(100);
    expect(d.limit.limit).toBe(50);
    const order: number[] = [];
    const waits: Promise<number>[] = [];
    for (let i = 0; i < 3; i++) {
      const w = d.limit.enter();
      expect(w).toBeDefined();
      waits.push((w as Promise<number>).then((ms) => (order.push(i), ms)));
    }
    expect(d.limit.waiting).toBe(3);
    d.advance(7);
    // 100 in flight against a limit of 50: the first 50 leaving free nothing.
    for (let i = 0; i < 50; i++) d.limit.leave();
    await tick();
    expect(order).toEqual([]);
    d.limit.leave();
    d.limit.leave();
    await tick();
    expect(order).toEqual([0, 1]);
    d.advance(3);
    d.limit.leave();
    expect(await Promise.all(waits)).toEqual([7, 7, 10]);
    expect(order).toEqual([0, 1, 2]);
    expect(d.limit.inFlight).toBe(50);
    expect(d.limit.stats()).toMatchObject({ requests: 3, iterations: 0, totalWaitMs: 24, maxWaitMs: 10 });
  });

  it('grows while something waits and the loop is on time, and lifts the limit after a quiet second', async () => {
    const d = driven();
    enterNow(d.limit, 200);
    d.probe(100);
    d.probe(100);
    expect(d.limit.limit).toBe(100);
    const held = d.limit.enter() as Promise<number>;
    d.probe(0);
    expect(d.limit.limit).toBe(111);
    d.probe(LATE_MS - 1);
    // Neither late nor on time: it holds.
    expect(d.limit.limit).toBe(111);
    let admitted = false;
    void held.then(() => (admitted = true));
    let probes = 0;
    while (!admitted && probes < 50) {
      d.probe(0);
      probes++;
      await Promise.resolve();
    }
    // Room for the waiting request came from the limit's growth (123, 136, … past 200), not from a request leaving.
    expect(probes).toBe(6);
    expect(await held).toBeGreaterThan(0);
    expect(d.limit.inFlight).toBe(201);
    for (let i = 0; i < LIFT_AFTER_PROBES - 1; i++) d.probe(0);
    expect(d.limit.limit).not.toBe(Infinity);
    d.probe(0);
    expect(d.limit.limit).toBe(Infinity);
  });

  it('lets a closed-model iteration start at once while there is room, and holds it when the limit is full', async () => {
    const d = driven();
    expect(d.limit.park(waiter())).toBe(false);
    enterNow(d.limit, 100);
    d.probe(100);
    d.probe(100);
    const held = waiter();
    expect(d.limit.park(held)).toBe(true);
    expect(held.since).toBe(d.now());
    // Requests first: an iteration under way holds more than one not yet started.
    const request = d.limit.enter() as Promise<number>;
    const started: string[] = [];
    void request.then(() => started.push('request'));
    for (let i = 0; i < 50; i++) d.limit.leave();
    await tick();
    expect(started).toEqual([]);
    d.advance(4);
    d.limit.leave();
    d.limit.leave();
    await tick();
    expect(started).toEqual(['request']);
    expect(d.limit.stats()).toMatchObject({ requests: 1, iterations: 1 });
  });

  it('lets every waiting iteration go when the load stops, a batch per turn of the event loop', async () => {
    const d = driven();
    enterNow(d.limit, 100);
    d.probe(100);
    d.probe(100);
    let gone = 0;
    for (let i = 0; i < OPEN_BATCH * 2 + 5; i++) d.limit.park(waiter(() => gone++));
    d.limit.openAll();
    await Promise.resolve();
    expect(gone).toBe(OPEN_BATCH);
    await tick();
    await tick();
    await tick();
    expect(gone).toBe(OPEN_BATCH * 2 + 5);
    expect(d.limit.waiting).toBe(0);
  });

  it('stops probing when idle and starts again with the next request', () => {
    const d = driven();
    expect(d.armed()).toBe(false);
    expect(d.limit.enter()).toBeUndefined();
    expect(d.armed()).toBe(true);
    d.limit.leave();
    d.probe(0);
    expect(d.armed()).toBe(false);
    expect(d.limit.enter()).toBeUndefined();
    expect(d.armed()).toBe(true);
  });
});

describe('letting the waiting iterations go at a stop', () => {
  it('lets go only those waiting when it is called: a load block still running keeps its pacing', async () => {
    const d = driven();
    enterNow(d.limit, 100);
    d.probe(100);
    d.probe(100);
    let first = 0;
    for (let i = 0; i < OPEN_BATCH + 3; i++) d.limit.park(waiter(() => first++));
    d.limit.openAll();
    // Another block's VU asks for room while the first batch goes.
    let later = false;
    d.limit.park(waiter(() => (later = true)));
    for (let i = 0; i < 5; i++) await tick();
    expect(first).toBe(OPEN_BATCH + 3);
    expect(later).toBe(false);
    expect(d.limit.waiting).toBe(1);
  });
});

describe('holding open-model arrivals', () => {
  /** A limit that holds arrivals from 100 requests in flight, with a busy share the test sets. */
  function busyDriven(): { limit: InFlightLimit; setBusy(share: number): void; probes(n: number): void; lateProbe(ms: number): void; measured(): number } {
    let share = 0;
    let measured = 0;
    let pending: (() => void) | undefined;
    let now = 1_000;
    const limit = new InFlightLimit({
      now: () => now,
      schedule: (fn) => void (pending = fn),
      holdArrivalsFrom: 100,
      busy: () => {
        measured++;
        return share;
      },
    });
    return {
      limit,
      setBusy: (s) => void (share = s),
      probes: (n) => {
        for (let i = 0; i < n; i++) {
          const fn = pending;
          if (fn === undefined) throw new Error('no probe armed');
          pending = undefined;
          now += PROBE_MS;
          fn();
        }
      },
      lateProbe: (ms) => {
        const fn = pending;
        if (fn === undefined) throw new Error('no probe armed');
        pending = undefined;
        now += PROBE_MS + ms;
        fn();
      },
      measured: () => measured,
    };
  }

  it('holds them only while the loop is busy and requests have reached the mark, both', () => {
    const d = busyDriven();
    enterNow(d.limit, 99);
    d.setBusy(1);
    d.probes(BUSY_EVERY_PROBES);
    // Busy, but 99 requests in flight: below the mark.
    expect(d.limit.holdsArrivals()).toBe(false);
    enterNow(d.limit, 1);
    expect(d.limit.holdsArrivals()).toBe(true);
    // Requests at the mark with the loop idle (a slow service): never.
    d.setBusy(HOLD_BUSY - 0.05);
    d.probes(BUSY_EVERY_PROBES);
    expect(d.limit.holdsArrivals()).toBe(false);
    d.setBusy(HOLD_BUSY);
    d.probes(BUSY_EVERY_PROBES);
    expect(d.limit.holdsArrivals()).toBe(true);
    // A request ends: below the mark again, arrivals go at once.
    d.limit.leave();
    expect(d.limit.holdsArrivals()).toBe(false);
  });

  it('measures the busy share every few probes, from when it was armed, and forgets it when idle', () => {
    const d = busyDriven();
    expect(d.measured()).toBe(0);
    enterNow(d.limit, 100);
    // Arming takes a first reading: what came before is not the load's.
    expect(d.measured()).toBe(1);
    d.setBusy(1);
    d.probes(BUSY_EVERY_PROBES - 1);
    expect(d.limit.holdsArrivals()).toBe(false);
    expect(d.measured()).toBe(1);
    d.probes(1);
    expect(d.measured()).toBe(2);
    expect(d.limit.holdsArrivals()).toBe(true);
    // Everything ends; the next probe finds the limit idle and stops.
    for (let i = 0; i < 100; i++) d.limit.leave();
    d.probes(1);
    enterNow(d.limit, 100);
    expect(d.limit.holdsArrivals()).toBe(false);
  });

  it('counts the requests this limit holds before they are written: they wait as journeys too', () => {
    const d = busyDriven();
    d.setBusy(1);
    enterNow(d.limit, 60);
    // The loop runs late twice: the limit halves the requests in flight to 30, no lower than its floor.
    for (let i = 0; i < 2; i++) {
      const late = LATE_MS + 5;
      // Drive the probe by hand, late: the busy-share probes count these too.
      d.lateProbe(late);
    }
    expect(d.limit.limit).toBe(MIN_LIMIT);
    // 40 more wait for the limit: 60 in flight and 40 held make the mark of 100.
    const waits = Array.from({ length: 40 }, () => d.limit.enter());
    expect(waits.every((w) => w instanceof Promise)).toBe(true);
    d.probes(BUSY_EVERY_PROBES);
    expect(d.limit.inFlight).toBe(60);
    expect(d.limit.holdsArrivals()).toBe(true);
  });

  it('never holds them without a mark (the default, and a connection per VU)', () => {
    const limit = new InFlightLimit({ schedule: () => undefined, busy: () => 1 });
    enterNow(limit, 10_000);
    expect(limit.holdsArrivals()).toBe(false);
  });
});

