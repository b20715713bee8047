/**
 * What templates of one VU see. Lookup order for a root name: the iteration's variables (captures,
 * `set`, loop items), then the globals (setup captures over plan variables), then a data feed of
 * that name (one row per iteration, drawn on first use), then `vu` = `{ id, iteration }` and
 * `iteration` (the same number as `vu.iteration`).
 */
import type { Scope } from '../scenario/template/index.js';
import type { DataFeeds, DataRow } from './data-feeds.js';

export class VuScope implements Scope {
  /** The iteration's variables; cleared at the start of each iteration. */
  readonly vars = new Map<string, unknown>();
  private readonly rows = new Map<string, DataRow | undefined>();
  private iteration = 0;
  /** `{ id, iteration }`, built when a template first asks for `vu` in an iteration. */
  private vuInfo: { readonly id: number; readonly iteration: number } | undefined = undefined;

  constructor(
    private readonly vuId: number,
    private readonly globals: Readonly<Record<string, unknown>>,
    private readonly data: DataFeeds,
    readonly random: () => number,
  ) {}

  /** Starts iteration `n` (0-based): no variables, fresh data rows. */
  begin(iteration: number): void {
    if (this.vars.size > 0) this.vars.clear();
    if (this.rows.size > 0) this.rows.clear();
    this.iteration = iteration;
    this.vuInfo = undefined;
  }

  lookup(root: string): unknown {
    const v = this.vars.get(root);
    if (v !== undefined) return v;
    if (Object.hasOwn(this.globals, root)) return this.globals[root];
    if (this.data.has(root)) {
      if (this.rows.has(root)) return this.rows.get(root);
      const row = this.data.next(root);
      this.rows.set(root, row);
      return row;
    }
    if (root === 'vu') return (this.vuInfo ??= Object.freeze({ id: this.vuId, iteration: this.iteration }));
    // `{{ iteration }}` is `{{ vu.iteration }}`: the scenario layer accepts both roots (BUILTIN_ROOTS).
    if (root === 'iteration') return this.iteration;
    return undefined;
  }

  now(): number {
    return Date.now();
  }
}
