/**
 * The parts of undici the HTTP path uses, loaded from their own files. undici's index loads every
 * API it has (fetch, WebSocket, EventSource, the cache, the mock agent) and was the largest single
 * cost of a run's start: about 150 ms of a cold process on the bench's machines, against about
 * 60 ms for the connection (`Client`) and the connector a run needs. The whole package is loaded
 * only for a scenario with WebSocket steps ({@link undiciPackage}), before its load starts.
 *
 * undici has no `exports` map, so its files are importable by path. The lockfile pins the version,
 * and test/unit/http/undici-parts.test.ts checks that these are the very classes its index exports,
 * so an upgrade that moves them fails there rather than at a user's run.
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

/** undici's one-connection client (`undici.Client`). */
export const UndiciClient = require('undici/lib/dispatcher/client.js') as typeof Undici.Client;

/** undici's TCP/TLS connector factory (`undici.buildConnector`). */
export const buildUndiciConnector = require('undici/lib/core/connect.js') as typeof Undici.buildConnector;

let whole: typeof Undici | undefined;

/** The whole undici package (WebSocket, Agent), loaded on first use. */
export function undiciPackage(): typeof Undici {
  return (whole ??= require('undici') as typeof Undici);
}
