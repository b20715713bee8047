/**
 * At most so many of one kind of work per turn of the event loop, the rest in the turns after,
 * first come first served.
 *
 * Closing a connection costs the event loop 50–100 µs (the socket's close, undici's teardown and
 * the error it creates for its destroyed client). When a load of 10,000 VUs with a connection
 * each stops, thousands of VUs end in the same few turns and close theirs: one turn took 90–180 ms,
 * and every response that arrived meanwhile, for the VUs still finishing their iterations, was
 * measured that much later. With {@link CONNECTION_CLOSES_PER_TURN} closes per turn, four direct
 * runs read 23–49 ms for the stop's last second and 74–88 ms for the whole run's longest stall
 * (bench/results/reference-2026-12-05-stalls.md).
 */
import { Fifo } from './fifo.js';

/** Connections closed per turn of the event loop, process-wide ({@link connectionCloses}). */
export const CONNECTION_CLOSES_PER_TURN = 32;

export class TurnBudget {
  readonly #perTurn: number;
  readonly #defer: (fn: () => void) => void;
  readonly #waiting = new Fifo<() => void>();
  #used = 0;
  #scheduled = false;

  /** @param defer runs a function in the next turn (setImmediate; a test passes its own). */
  constructor(perTurn: number, defer: (fn: () => void) => void = (fn) => void setImmediate(fn)) {
    if (!(perTurn >= 1)) throw new RangeError('a turn budget needs room for at least one');
    this.#perTurn = perTurn;
    this.#defer = defer;
  }

  /** How many wait for a later turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * One unit of this turn's budget: undefined when it is taken at once (no promise made), else a
   * promise that resolves in the first later turn with room, after everything that waited before it.
   */
  take(): Promise<void> | undefined {
    this.#schedule();
    if (this.#used < this.#perTurn && this.#waiting.length === 0) {
      this.#used++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#defer(() => this.#turn());
  }

  /** A new turn: its budget goes first to those waiting. */
  #turn(): void {
    this.#scheduled = false;
    this.#used = 0;
    while (this.#used < this.#perTurn) {
      const next = this.#waiting.shift();
      if (next === undefined) break;
      this.#used++;
      next();
    }
    // What this turn released counts until the next turn begins; a turn that used nothing ends the cycle.
    if (this.#used > 0 || this.#waiting.length > 0) this.#schedule();
  }
}

/**
 * The process's budget of connection closes: every HTTP connection pool of every run takes from it
 * before closing a connection. Process-wide because the event loop is.
 */
export const connectionCloses = new TurnBudget(CONNECTION_CLOSES_PER_TURN);
