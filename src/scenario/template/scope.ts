/** What a template sees at render time: supplied by the runtime, one per virtual user. */
export interface Scope {
  /**
   * The value of a root variable (a capture, a declared variable, a data row as an object, `vu` as
   * `{ id, iteration }`, …), or undefined when nothing by that name is set.
   */
  lookup(root: string): unknown;
  /** A uniform number in [0, 1): every random built-in draws from it, so a seeded run repeats. */
  random(): number;
  /** The current time in milliseconds since the epoch (`now()`, `isoNow()`, `timestamp()`). */
  now(): number;
}
