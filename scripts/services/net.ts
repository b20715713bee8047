/** Small TCP helpers: free ports on loopback and waiting for a port to accept. */
import { createServer, connect } from 'node:net';

/** The loopback address every service binds to. */
export const LOOPBACK = '127.0.0.1';

/**
 * A TCP port that is free on 127.0.0.1 right now (the OS picks it). Another process may take it
 * before the caller binds, so callers retry a start that fails with "address in use".
 */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, LOOPBACK, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolvePort(port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * Whether host:port accepts a TCP connection within `timeoutMs` (default 500 ms).
 */
export function portAccepts(port: number, host: string = LOOPBACK, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolveAccepts) => {
    const socket = connect({ port, host });
    const done = (ok: boolean): void => {
      socket.removeAllListeners();
      socket.destroy();
      resolveAccepts(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
