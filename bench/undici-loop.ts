/**
 * The floor under rampart's HTTP client: bare undici `dispatch` loops with a no-op handler, for
 * `seconds`. The benchmark runs it as a generator next to rampart and autocannon, so "rampart ÷
 * undici" is what rampart's own layers cost.
 *
 *   node bench/undici-loop.ts <url> <connections> <seconds> [--vus N] [--think MIN-MAX] [--ramp MS] [--per-vu]
 *   node bench/undici-loop.ts <url> <connections> <seconds> --rate R
 *   (with --import tsx)
 *
 * By default there is one loop per connection of a shared Pool, each sending its next GET as soon as
 * the last one completed. The options make it the floor of the many-VU part: `--vus` loops (on a
 * Pool of `connections`, or with `--per-vu` each on its own Client), each thinking a uniform
 * MIN–MAX ms after every GET, started evenly over `--ramp` ms — the same load as rampart's
 * scenario, with nothing of rampart in it.
 *
 * `--rate R` makes it the floor of an open model instead: R GETs per second, evenly spaced from the
 * start (a 1 ms timer dispatches the ones due, as rampart's open executor does), on the Pool of
 * `connections`, whatever is still in flight.
 */
import { Client, Pool, type Dispatcher } from 'undici';

const USAGE = 'usage: undici-loop <url> <connections> <seconds> [--vus N] [--think MIN-MAX] [--ramp MS] [--per-vu] | [--rate R]';

/** The value after `--name`, when given. */
function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function count(text: string | undefined, fallback: number, what: string): number {
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${what} must be a number ≥ 0, got ${text}\n${USAGE}`);
  return n;
}

const [url, connArg, secArg] = process.argv.slice(2);
if (url === undefined || url.startsWith('--')) throw new Error(USAGE);
const connections = count(connArg, 50, 'connections');
const seconds = count(secArg, 10, 'seconds');
const vus = count(option('--vus'), connections, '--vus');
const rampMs = count(option('--ramp'), 0, '--ramp');
const perVu = process.argv.includes('--per-vu');
const rate = count(option('--rate'), 0, '--rate');
if (rate > 0 && (perVu || option('--vus') !== undefined)) throw new Error(`--rate runs an open model: it takes no --vus or --per-vu\n${USAGE}`);
const thinkText = option('--think') ?? '0-0';
const thinkMatch = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(thinkText);
if (thinkMatch === null) throw new Error(`--think must be MIN-MAX in ms, got ${thinkText}\n${USAGE}`);
const thinkMin = Number(thinkMatch[1]);
const thinkMax = Math.max(thinkMin, Number(thinkMatch[2]));

const origin = new URL(url).origin;
const path = new URL(url).pathname;
const options = { pipelining: 1, keepAliveTimeout: 4_000 };
const pool = perVu ? undefined : new Pool(origin, { ...options, connections });
const clients: Client[] = [];
let stop = false;
let sent = 0;

/** One GET with a no-op handler that calls `settled` once it completed or failed. */
function get(d: Dispatcher, settled: () => void): void {
  const handler: Dispatcher.DispatchHandler = {
    onConnect: () => undefined,
    onHeaders: () => true,
    onData: () => true,
    onComplete: settled,
    onError: settled,
  };
  d.dispatch({ path, method: 'GET', headers: { 'user-agent': 'undici-loop' } }, handler);
}

function once(d: Dispatcher): Promise<void> {
  return new Promise((resolve) => get(d, () => resolve()));
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function vu(i: number): Promise<void> {
  if (rampMs > 0) await pause((rampMs * i) / vus);
  if (stop) return;
  let d: Dispatcher | undefined = pool;
  if (d === undefined) {
    const client = new Client(origin, options);
    clients.push(client);
    d = client;
  }
  while (!stop) {
    await once(d);
    sent++;
    if (thinkMax > 0 && !stop) await pause(thinkMin + Math.random() * (thinkMax - thinkMin));
  }
}

/** Open model: the GETs due by now, every millisecond, until `seconds`; resolves when all completed. */
function arrivals(d: Dispatcher): Promise<void> {
  return new Promise((resolve) => {
    let dispatched = 0;
    let settled = 0;
    let closed = false;
    const done = (): void => {
      settled++;
      sent++;
      if (closed && settled === dispatched) resolve();
    };
    const t0 = performance.now();
    const tick = (): void => {
      const elapsed = performance.now() - t0;
      const due = Math.floor((Math.min(elapsed, seconds * 1000) * rate) / 1000);
      while (dispatched < due) {
        dispatched++;
        get(d, done);
      }
      if (elapsed < seconds * 1000) setTimeout(tick, 1);
      else {
        closed = true;
        if (settled === dispatched) resolve();
      }
    };
    tick();
  });
}

if (rate > 0) {
  await arrivals(pool as Pool);
} else {
  const loops = Array.from({ length: vus }, (_, i) => vu(i));
  setTimeout(() => (stop = true), seconds * 1000);
  await Promise.all(loops);
}
await Promise.all([pool?.close(), ...clients.map((c) => c.close())]);
process.stdout.write(`${JSON.stringify({ requests: sent })}\n`);
