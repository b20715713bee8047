/** The HTTP layer: a client per run (shared pools) or per VU (`per-vu` connections). */
export { createHttpClient, CLOSE_GRACE_MS, type HttpClientOptions } from './client.js';
export { classifyError, describeError, statusClass } from './classify.js';
export { ACCEPT_ENCODING, ZSTD_SUPPORTED } from './decode.js';
export { ERROR_CLASSES, type CookieHook, type ErrorClass, type HttpClient, type HttpRequest, type HttpResult, type HttpTimings, type PreconnectResult, type TlsInfo } from './types.js';
export { InFlightLimit, type HeldBackStats, type RoomWaiter } from './in-flight-limit.js';
export { loadWebSocketSupport } from './websocket.js';
