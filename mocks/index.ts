/** The bundled mock services: build (for inject tests) or start (listening) them. */
export { buildMocks, SERVICE_ROUTES, type BuildMocksOptions } from './app.js';
export { startMocks, type RunningMocks } from './server.js';
export * from './common/index.js';
