/**
 * Helpers for `rampart run` integration tests: a Fastify target whose latency can be switched while a
 * run is going, a port that refuses connections, scenario files in temp dirs, and main() run
 * in-process with captured streams and a signal emitter the test controls.
 */
import { EventEmitter } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

export interface LatencyServer {
  readonly url: string;
  readonly app: FastifyInstance;
  /** Requests served per path. */
  readonly hits: Map<string, number>;
  /** Current added latency of `/work` (ms). */
  latencyMs: number;
  close(): Promise<void>;
}

/**
 * Routes: `GET /work` answers `{ ok: true }` after `latencyMs`; `POST /admin/latency?ms=N` sets it
 * (so a phase hook can switch it mid-run); `GET /status/:code` answers that status.
 */
export async function startLatencyServer(initialMs = 1): Promise<LatencyServer> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const hits = new Map<string, number>();
  const server: LatencyServer = {
    url: '',
    app,
    hits,
    latencyMs: initialMs,
    close: () => app.close(),
  };
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0] ?? req.url;
    hits.set(path, (hits.get(path) ?? 0) + 1);
  });
  app.get('/work', async () => {
    await new Promise((r) => setTimeout(r, server.latencyMs));
    return { ok: true };
  });
  app.post<{ Querystring: { ms?: string } }>('/admin/latency', async (req) => {
    server.latencyMs = Number(req.query.ms ?? '1');
    return { latencyMs: server.latencyMs };
  });
  app.get<{ Params: { code: string } }>('/status/:code', async (req, reply) => reply.code(Number(req.params.code)).send({ code: Number(req.params.code) }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return Object.assign(server, { url: `http://127.0.0.1:${port}` });
}

/** A loopback URL on which nothing listens (the port was just released). */
export async function refusedUrl(): Promise<string> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  await new Promise<void>((r) => srv.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/** A fresh temp directory with `scenario.yaml` holding `yaml`. */
export async function scenarioFile(yaml: string): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-run-'));
  const file = join(dir, 'scenario.yaml');
  await writeFile(file, yaml);
  return { dir, file };
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

export interface CliRun {
  readonly done: Promise<number>;
  readonly signals: EventEmitter;
  stdout(): string;
  stderr(): string;
}

/** Where an in-process CLI runs; `ownProcess` stands in for the process's (the seam of src/engine/own-process.ts). */
export interface CliOptions {
  readonly cwd: string;
  readonly env?: Record<string, string>;
  readonly ownProcess?: CliIo['ownProcess'];
}

/** Starts `rampart <args>` in-process; `env` is the whole environment the command sees. */
export function startCli(args: readonly string[], opts: CliOptions): CliRun {
  const out = new Capture();
  const err = new Capture();
  const signals = new EventEmitter();
  const io: CliIo = { stdout: out, stderr: err, env: opts.env ?? {}, cwd: opts.cwd, signals, ...(opts.ownProcess !== undefined ? { ownProcess: opts.ownProcess } : {}) };
  return { done: main(args, io), signals, stdout: () => out.text, stderr: () => err.text };
}

/** Runs `rampart <args>` to its end. */
export async function runCli(args: readonly string[], opts: CliOptions): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = startCli(args, opts);
  const code = await r.done;
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}

export { validateReport } from './report-schema.js';
