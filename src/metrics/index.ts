/** The metrics layer: a registry that records, and pure functions that encode, merge and read snapshots. */
export type * from './types.js';
export { BUILT_IN, BUILT_IN_METRICS, builtInMetric, ENGINE_TAG_KEYS, METRIC, type BuiltInMetric } from './catalogue.js';
export { createRegistry, DEFAULT_MAX_SERIES, OVERFLOW_TAGS } from './registry.js';
export type { MetricsRegistry, RegistryOptions } from './registry.js';
export { encodeSnapshot, decodeSnapshot } from './codec.js';
export { mergeSnapshots, mergeAll, mergeSeries } from './merge.js';
export { selectSeries, summarize, toSeriesReport } from './summary.js';
export { seriesKey, canonicalTags, hasTags } from './series-key.js';
export { HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS, RAW_SCALE, hdrParts } from './hdr.js';
