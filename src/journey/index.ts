/** The journey layer: virtual users, data feeds, matchers. */
export { createVu, HookFailedError, FAILURE_LOG_INTERVAL_MS, type IterationOutcome, type Vu, type VuOptions } from './vu.js';
export { createDataFeeds, DataExhaustedError, type DataFeeds, type DataFeedsOptions, type DataRow } from './data-feeds.js';
export { createVuShared, type VuShared } from './shared.js';
export { VuCookieJar } from './cookies.js';
export { backoffMs, shouldRetry } from './timing.js';
export { compare, evalCondition, looseEquals, statusMatches } from './matchers.js';
export { RegexCache } from './regex-cache.js';
export { USER_AGENT } from './request.js';
