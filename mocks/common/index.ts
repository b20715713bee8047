/** The shared infrastructure of the bundled mock services. */
export * from './config.js';
export * from './env.js';
export * from './settings-table.js';
export { resolveConfig } from './config-validate.js';
export * from './context.js';
export * from './faults.js';
export * from './health.js';
export * from './metrics.js';
export * from './redis.js';
export * from './shared-json.js';
export * from './orders-contract.js';
