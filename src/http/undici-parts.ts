/**
 * The parts of undici the HTTP path uses, loaded from their own files. undici's index loads every
 * API it has (fetch, WebSocket, EventSource, the cache, the mock agent) and was the largest single
 * cost of a run's start: about 150 ms of a cold process on the bench's machines, against about
 * 60 ms for the connection (`Client`) and the connector a run needs (and less once bundled, see
 * scripts/bundle.mjs). The whole package is loaded only for a scenario with WebSocket steps
 * ({@link undiciPackage}), before its load starts.
 *
 * undici has no `exports` map, so its files are importable by path (their types are in
 * undici-files.d.ts beside this file). The lockfile pins the version, and
 * test/unit/http/undici-parts.test.ts checks that these are the very classes its index exports,
 * so an upgrade that moves them fails there rather than at a run.
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

/** undici's one-connection client (`undici.Client`). */
export { default as UndiciClient } from 'undici/lib/dispatcher/client.js';

/** undici's TCP/TLS connector factory (`undici.buildConnector`). */
export { default as buildUndiciConnector } from 'undici/lib/core/connect.js';

let whole: typeof Undici | undefined;

/** The whole undici package (WebSocket, Agent), loaded on first use. */
export function undiciPackage(): typeof Undici {
  return (whole ??= createRequire(import.meta.url)('undici') as typeof Undici);
}
