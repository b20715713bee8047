/**
 * When each step of a VU's current iteration got its response, by step name: what a Kafka consume's
 * `since` measures from. The times sit in typed arrays stamped with the iteration, so starting an
 * iteration and recording a step allocate nothing. (A Map cleared per iteration made a new table
 * each time, and boxed every time it held; with thousands of VUs those lived through every think and
 * were copied by the garbage collector.)
 */
export class StepEnds {
  /** Slot by step name, shared by every VU of a run (names are the plan's, a bounded set). */
  readonly #slots: Map<string, number>;
  #at = new Float64Array(4);
  #stamp = new Uint32Array(4);
  /** The current iteration's stamp; slots stamped otherwise hold an earlier iteration's time. */
  #iteration: number;

  /** `stamp`: the first iteration's stamp, 1 to 2³² − 1 (a test starts it near the wrap). */
  constructor(slots: Map<string, number>, stamp = 1) {
    this.#slots = slots;
    this.#iteration = stamp;
  }

  /** A new iteration: the ends recorded so far no longer count. */
  begin(): void {
    this.#iteration = (this.#iteration + 1) >>> 0;
    if (this.#iteration === 0) {
      // 2³² iterations later the stamps would repeat: start them over.
      this.#stamp.fill(0);
      this.#iteration = 1;
    }
  }

  /** Records that step `name` got its response at `ms` (performance.now()). */
  set(name: string, ms: number): void {
    let slot = this.#slots.get(name);
    if (slot === undefined) {
      slot = this.#slots.size;
      this.#slots.set(name, slot);
    }
    if (slot >= this.#at.length) this.#grow(slot + 1);
    this.#at[slot] = ms;
    this.#stamp[slot] = this.#iteration;
  }

  /** When step `name` got its response in this iteration, or undefined when it has not yet. */
  get(name: string): number | undefined {
    const slot = this.#slots.get(name);
    if (slot === undefined || slot >= this.#at.length || this.#stamp[slot] !== this.#iteration) return undefined;
    return this.#at[slot];
  }

  #grow(n: number): void {
    const size = Math.max(n, this.#at.length * 2);
    const at = new Float64Array(size);
    const stamp = new Uint32Array(size);
    at.set(this.#at);
    stamp.set(this.#stamp);
    this.#at = at;
    this.#stamp = stamp;
  }
}
