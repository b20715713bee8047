/** The engine: a Run owns one run (setup → load → graceful stop → teardown → report). */
export { Run } from './run.js';
export { HEAP_ABORT_FRACTION, type RunOptions } from './run-options.js';
export { createRunCollaborators, type RunCollaborators } from './wire.js';
export { generatorHealth, OVERLOAD_LAG_MS, OVERLOAD_LATE_FRACTION, OVERLOAD_MIN_LATE } from './health.js';
export { LATE_AFTER_MS, shareOf, type ShardOfLoad } from './context.js';
export { systemClock, sleep, type Clock, type EngineVu, type EngineVuOptions, type IterationOutcome, type RunRegistry, type VuFactory } from './types.js';
