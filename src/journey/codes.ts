/** How a step ended: go on, end the iteration as failed, or stop because the run is stopping. */
export const OK = 0;
export const FAILED = 1;
export const INTERRUPTED = 2;
export type StepCode = typeof OK | typeof FAILED | typeof INTERRUPTED;
