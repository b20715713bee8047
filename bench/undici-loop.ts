/**
 * The floor under rampart's HTTP client: bare undici `dispatch` loops with a no-op handler, for
 * `seconds`. The benchmark runs it as a generator next to rampart and autocannon, so "rampart ÷
 * undici" is what rampart's own layers cost.
 *
 *   node bench/undici-loop.ts <url> <connections> <seconds> [--vus N] [--think MIN-MAX] [--ramp MS] [--per-vu]
 *   node bench/undici-loop.ts <url> <connections> <seconds> --rate R [--warm N]
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
 * `connections`, whatever is still in flight. It then also prints the whole run's p50 and p99 and
 * each second's p99, ms, from dispatch to the response's end (a wait for a free connection
 * included). `--warm N` first sends N GETs back to back on the Pool, so the measured load starts
 * with warm code and open connections, as rampart's warm-up intends (which sends none to the target).
 */
import { Client, Pool, type Dispatcher } from 'undici';

const USAGE = 'usage: undici-loop <url> <connections> <seconds> [--vus N] [--think MIN-MAX] [--ramp MS] [--per-vu] | [--rate R [--warm N]]';

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
const warm = count(option('--warm'), 0, '--warm');
if (warm > 0 && rate === 0) throw new Error(`--warm goes with --rate\n${USAGE}`);
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

/** The `q` quantile of `values` (sorted in place), NaN when empty. */
function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(values.length * q))] as number;
}

/** Latencies (ms) of an open model's arrivals, by the second of the load they were sent in. */
const bySecond: number[][] = Array.from({ length: Math.ceil(seconds) }, () => []);

/** Open model: the GETs due by now, every millisecond, until `seconds`; resolves when all completed. */
function arrivals(d: Dispatcher): Promise<void> {
  return new Promise((resolve) => {
    let dispatched = 0;
    let settled = 0;
    let closed = false;
    const t0 = performance.now();
    const send = (): void => {
      const at = performance.now();
      const second = bySecond[Math.min(bySecond.length - 1, Math.floor((at - t0) / 1000))] as number[];
      get(d, () => {
        second.push(performance.now() - at);
        settled++;
        sent++;
        if (closed && settled === dispatched) resolve();
      });
    };
    const tick = (): void => {
      const elapsed = performance.now() - t0;
      const due = Math.floor((Math.min(elapsed, seconds * 1000) * rate) / 1000);
      while (dispatched < due) {
        dispatched++;
        send();
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

/** `n` GETs back to back on up to 50 loops of the Pool. */
async function warmUp(d: Dispatcher, n: number): Promise<void> {
  let left = n;
  const loop = async (): Promise<void> => {
    while (left > 0) {
      left--;
      await once(d);
    }
  };
  await Promise.all(Array.from({ length: Math.min(50, connections, n) }, loop));
}

if (rate > 0) {
  if (warm > 0) await warmUp(pool as Pool, warm);
  await arrivals(pool as Pool);
  const all = bySecond.flat();
  const figures = { p50Ms: quantile([...all], 0.5), p99Ms: quantile(all, 0.99), secondP99Ms: bySecond.map((l) => quantile(l, 0.99)) };
  await pool?.close();
  process.stdout.write(`${JSON.stringify({ requests: sent, ...figures })}\n`);
} else {
  const loops = Array.from({ length: vus }, (_, i) => vu(i));
  setTimeout(() => (stop = true), seconds * 1000);
  await Promise.all(loops);
  await Promise.all([pool?.close(), ...clients.map((c) => c.close())]);
  process.stdout.write(`${JSON.stringify({ requests: sent })}\n`);
}
