/**
 * Shared helpers of the hardening suite: a loopback server that counts every request and connection
 * (to prove nothing was sent), a captured in-process CLI, and checks on what a user sees.
 */
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';

export interface CountingServer {
  readonly url: string;
  readonly port: number;
  /** Requests received (any method, any path). */
  requests(): number;
  /** TCP connections accepted. */
  connections(): number;
  close(): Promise<void>;
}

/** A plain `http` server on 127.0.0.1:0 that answers 200 `ok` and counts what reaches it. */
export async function startCountingServer(): Promise<CountingServer> {
  let requests = 0;
  let connections = 0;
  const server: Server = createServer((_req, res) => {
    requests++;
    res.end('ok');
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: () => requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A V8/Node stack frame line, as printed by an uncaught error. */
export const STACK_FRAME = /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)$/m;

/** What a user reads must never be a stack trace. */
export function expectNoStack(text: string): void {
  expect(text).not.toMatch(STACK_FRAME);
  expect(text).not.toMatch(/internal error/);
}

/** Open file descriptors of this process (Linux /proc). */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Waits until `fn` holds (polling every 50 ms) or `ms` passed; returns whether it held. */
export async function eventually(fn: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return fn();
}

/** Files in `dir` other than the expected ones (temp files, probes). */
export function strayFiles(dir: string, expected: readonly string[]): string[] {
  return readdirSync(dir).filter((f) => !expected.includes(f));
}
