/** Load models: pure schedule math for the open (arrival rate) and closed (VUs) models. */
export { seededRandom, exponential, type Random } from './random.js';
export { weightedPicker } from './pick.js';
export {
  openArrivals,
  phaseArrivalOffsets,
  phaseWindows,
  windowAt,
  phaseRates,
  phaseRateAt,
  phaseTotal,
  cumulativeArrivals,
  inverseCumulative,
  openRateAt,
  plannedArrivalsBetween,
  openDurationMs,
  type Arrival,
  type PhaseWindow,
} from './open-schedule.js';
export { closedTargetAt, closedTargetExact, closedDurationMs, stageWindows } from './closed-schedule.js';
