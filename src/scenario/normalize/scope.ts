/**
 * Which variables a template may name at a given point of a journey: declared variables, data
 * feeders, built-ins, setup captures, and captures/sets of the steps before it. Captures that only
 * later steps set are remembered to explain "used before it is set".
 */
import type { SourcePos } from '../plan.js';

/** Roots that the runtime always provides. */
export const BUILTIN_ROOTS: readonly string[] = ['vu', 'iteration'];

export class VarScope {
  private readonly known: Set<string>;
  private readonly later: ReadonlyMap<string, SourcePos>;

  constructor(known: Iterable<string>, later: ReadonlyMap<string, SourcePos> = new Map()) {
    this.known = new Set(known);
    this.later = later;
  }

  has(name: string): boolean {
    return this.known.has(name);
  }

  /** Where a later step sets `name`, if one does. */
  setLater(name: string): SourcePos | undefined {
    return this.later.get(name);
  }

  add(name: string): void {
    this.known.add(name);
  }

  names(): string[] {
    return [...this.known];
  }

  /** A copy for a branch or a loop body (names added there stay there until merged). */
  fork(): VarScope {
    return new VarScope(this.known, this.later);
  }

  /** Adds the names a branch learned (lenient: a capture in either branch counts afterwards). */
  merge(other: VarScope): void {
    for (const n of other.known) this.known.add(n);
  }

  withLater(later: ReadonlyMap<string, SourcePos>): VarScope {
    return new VarScope(this.known, later);
  }
}
