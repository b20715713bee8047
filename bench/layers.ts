/**
 * What each layer of a request costs, in one process: CPU per request and young-generation garbage
 * collections (scavenges) per 100,000 requests — the allocation rate, which the machine's load does
 * not blur the way it blurs CPU time. Layers, each with 50 requests in flight (`--in-flight N`):
 *
 *   dispatch   a bare undici Pool.dispatch with a no-op handler (the floor)
 *   client     rampart's HTTP client (src/http): pool, hop, timeouts, abort watch, result
 *   vu         a virtual user running a one-GET journey (src/journey + src/metrics over the client)
 *   journey    the same VU over a client that answers at once without a network (journey + metrics only)
 *   arrival    as journey, but each request on a fresh VU closed after it (an open-model arrival)
 *
 *   node --import tsx bench/layers.ts [--requests 100000] [--only client,vu] [--rounds 2] [--in-flight 50]
 *                                     [--rampart DIR] [--from dist|src]
 *
 * `--from dist` (the default) measures the compiled JavaScript users run (`npm run build` first);
 * `--from src` the TypeScript sources through tsx. `--rampart DIR` measures another checkout.
 *
 * The target is bench/target-server.ts (pinned to CPU 0); pin this process too for steadier
 * figures: `taskset -c 1 node --import tsx bench/layers.ts`.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Pool, type Dispatcher } from 'undici';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HttpClient, HttpResult } from '../src/http/index.js';
import type { Vu } from '../src/journey/index.js';
import type { HttpDefaults, JourneyPlan, Plan } from '../src/scenario/plan.js';
import { startTarget } from './lib/target.js';
import { num, table } from './lib/format.js';
import { median } from './lib/stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Modules {
  readonly http: typeof import('../src/http/index.js');
  readonly journey: typeof import('../src/journey/index.js');
  readonly metrics: typeof import('../src/metrics/index.js');
}

/** rampart's modules from a checkout's dist/ (compiled) or src/ (through tsx). */
async function load(dir: string, from: 'dist' | 'src'): Promise<Modules> {
  const base = from === 'dist' ? join(dir, 'dist/src') : join(dir, 'src');
  if (from === 'dist' && !existsSync(join(base, 'http/index.js'))) throw new Error(`no build in ${base}: run npm run build (or use --from src)`);
  const [http, journey, metrics] = await Promise.all([
    import(join(base, 'http/index.js')) as Promise<Modules['http']>,
    import(join(base, 'journey/index.js')) as Promise<Modules['journey']>,
    import(join(base, 'metrics/index.js')) as Promise<Modules['metrics']>,
  ]);
  return { http, journey, metrics };
}
/** Requests in flight (`--in-flight N`, default 50): low values show the cost of low concurrency. */
const IN_FLIGHT = inFlight();

function inFlight(): number {
  const i = process.argv.indexOf('--in-flight');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 50;
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error('--in-flight expects 1 … 1000');
  return n;
}
const LAYERS = ['dispatch', 'client', 'vu', 'journey', 'arrival'] as const;
type Layer = (typeof LAYERS)[number];

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const HTTP: HttpDefaults = {
  timeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  connections: IN_FLIGHT,
  connectionPolicy: 'shared',
  keepAlive: true,
  headers: [],
  tlsVerify: true,
  followRedirects: true,
  maxRedirects: 5,
  maxResponseBytes: 10 * 1024 * 1024,
  http2: false,
  cookies: true,
  compression: true,
};

const POS = { file: 'bench', line: 1, col: 1 };
const JOURNEY: JourneyPlan = {
  name: 'get',
  weight: 1,
  tags: {},
  steps: [{ kind: 'request', name: 'hello', method: 'GET', url: { source: '/', parts: ['/'], single: false }, query: [], headers: [], expect: [], checks: [], captures: [], tags: {}, pos: POS }],
};

function plan(target: string): Plan {
  return {
    name: 'layers',
    source: { file: 'bench', hash: '' },
    target,
    http: HTTP,
    variables: {},
    secrets: [],
    data: [],
    load: { model: 'closed', startVus: 0, stages: [{ name: 's', durationMs: 1000, target: IN_FLIGHT, onStart: [], onEnd: [] }] },
    journeys: [JOURNEY],
    setup: [],
    teardown: [],
    thresholds: [],
    gracefulStopMs: 0,
    warmUp: false,
  };
}

/** A client answering at once (no network): what is left is the journey and metrics layers. */
function instantClient(): HttpClient {
  const result: HttpResult = { status: 200, headers: {}, body: Buffer.from('hello world'), bytesIn: 120, bytesOut: 60, timings: { totalUs: 250, ttfbUs: 200 }, url: '', redirects: 0 };
  return { request: () => Promise.resolve(result), close: () => Promise.resolve() };
}

interface Driver {
  one(slot: number): Promise<unknown>;
  close(): Promise<void>;
}

function driver(m: Modules, layer: Layer, url: string): Driver {
  const { createHttpClient } = m.http;
  const { createDataFeeds, createVu, createVuShared } = m.journey;
  const { createRegistry } = m.metrics;
  switch (layer) {
    case 'dispatch': {
      const pool = new Pool(url, { connections: IN_FLIGHT });
      const one = (): Promise<void> =>
        new Promise((resolve) => {
          const handler: Dispatcher.DispatchHandler = { onConnect: () => undefined, onHeaders: () => true, onData: () => true, onComplete: () => resolve(), onError: () => resolve() };
          pool.dispatch({ path: '/', method: 'GET', headers: { 'user-agent': 'layers' } }, handler);
        });
      return { one, close: () => pool.close() };
    }
    case 'client': {
      const client = createHttpClient({ http: HTTP, target: url });
      const signal = new AbortController().signal;
      return { one: () => client.request({ method: 'GET', url: `${url}/`, headers: { 'user-agent': 'layers' }, signal, discardBody: true }), close: () => client.close() };
    }
    case 'vu':
    case 'journey':
    case 'arrival': {
      const p = plan(url);
      const client = layer === 'vu' ? createHttpClient({ http: HTTP, target: url }) : instantClient();
      const sink = createRegistry();
      const shared = createVuShared();
      const data = createDataFeeds([], { random: Math.random });
      const signal = new AbortController().signal;
      const vus: Vu[] = Array.from({ length: IN_FLIGHT }, (_, i) =>
        createVu({ plan: p, id: i + 1, client, sink, data, globals: {}, phase: () => 'steady', random: Math.random, signal, log: () => undefined, shared }),
      );
      const ticker = setInterval(() => sink.takeInterval(), 1000);
      let nextId = IN_FLIGHT;
      // An open-model arrival: a fresh VU for one iteration, closed after it.
      const arrival = async (): Promise<unknown> => {
        const vu = createVu({ plan: p, id: ++nextId, client, sink, data, globals: {}, phase: () => 'steady', random: Math.random, signal, log: () => undefined, shared });
        try {
          return await vu.runIteration(JOURNEY, Date.now());
        } finally {
          await vu.close();
        }
      };
      return {
        one: layer === 'arrival' ? arrival : (slot) => (vus[slot] as Vu).runIteration(JOURNEY),
        close: async () => {
          clearInterval(ticker);
          await client.close();
          sink.dispose();
        },
      };
    }
  }
}

/** Runs `count` requests with 50 in flight; CPU µs per request and scavenges per 100k. */
async function measure(m: Modules, layer: Layer, url: string, count: number): Promise<{ cpuUs: number; scavenges: number }> {
  const d = driver(m, layer, url);
  const run = async (n: number): Promise<void> => {
    let left = n;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async (_, slot) => {
        for (let i = 0; left > 0; i++) {
          left--;
          await d.one(slot);
          // A journey without I/O would never leave the microtask queue: let timers run.
          if ((layer === 'journey' || layer === 'arrival') && (i & 63) === 63) await new Promise((r) => setImmediate(r));
        }
      }),
    );
  };
  await run(Math.min(20_000, count)); // warm-up: connections, JIT
  let scavenges = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === 1) scavenges++;
  });
  obs.observe({ entryTypes: ['gc'] });
  const c0 = process.cpuUsage();
  await run(count);
  const c = process.cpuUsage(c0);
  await new Promise((r) => setTimeout(r, 20));
  obs.disconnect();
  await d.close();
  return { cpuUs: (c.user + c.system) / count, scavenges: (scavenges * 100_000) / count };
}

async function main(): Promise<void> {
  const count = Number(flag('--requests') ?? 100_000);
  const rounds = Number(flag('--rounds') ?? 2);
  const only = (flag('--only')?.split(',') ?? [...LAYERS]) as Layer[];
  for (const l of only) if (!(LAYERS as readonly string[]).includes(l)) throw new Error(`--only: unknown layer "${l}" (one of ${LAYERS.join(', ')})`);
  const from = flag('--from') ?? 'dist';
  if (from !== 'dist' && from !== 'src') throw new Error('--from expects dist or src');
  const modules = await load(resolve(flag('--rampart') ?? ROOT), from);
  const target = await startTarget({ cwd: ROOT });
  const by = new Map<Layer, { cpuUs: number; scavenges: number }[]>();
  try {
    for (let r = 0; r < rounds; r++) {
      for (const layer of r % 2 === 0 ? only : [...only].reverse()) {
        const m = await measure(modules, layer, target.url, count);
        process.stderr.write(`${layer.padEnd(9)} ${num(m.cpuUs, 2).padStart(6)} µs CPU/request  ${num(m.scavenges, 1).padStart(5)} scavenges/100k\n`);
        by.set(layer, [...(by.get(layer) ?? []), m]);
      }
    }
  } finally {
    await target.stop();
  }
  const rows = only.map((l) => [l, num(median((by.get(l) ?? []).map((m) => m.cpuUs)), 2), num(median((by.get(l) ?? []).map((m) => m.scavenges)), 1)]);
  process.stdout.write(`\n${table(['layer', 'CPU µs/request', 'scavenges/100k requests'], rows)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`layers: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
