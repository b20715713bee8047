import type { IntervalUpdate, Output, Report, RunInfo } from '../report/model.js';

/**
 * Calls every output's hooks in order. An output that throws never stops the run or the other
 * outputs: its error is kept (`errors`) and reported through `warn`.
 */
export class OutputFanout {
  readonly errors: Error[] = [];

  constructor(
    private readonly outputs: readonly Output[],
    private readonly warn: (message: string) => void,
  ) {}

  async start(info: RunInfo): Promise<void> {
    for (const out of this.outputs) await this.#guard(out, () => out.start?.(info));
  }

  interval(update: IntervalUpdate): void {
    for (const out of this.outputs) {
      try {
        out.interval?.(update);
      } catch (err) {
        this.warn(`output ${out.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** An output that fails here only warns: `end` writes again (and counts a failure there). */
  async provisional(report: Report): Promise<void> {
    for (const out of this.outputs) {
      try {
        await out.provisional?.(report);
      } catch (err) {
        this.warn(`output ${out.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  async end(report: Report): Promise<void> {
    for (const out of this.outputs) await this.#guard(out, () => out.end?.(report));
  }

  async #guard(out: Output, call: () => void | Promise<void>): Promise<void> {
    try {
      await call();
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      this.errors.push(e);
      this.warn(`output ${out.name}: ${e.message}`);
    }
  }
}
