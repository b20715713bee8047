/**
 * The floor under rampart's HTTP client: bare undici `dispatch` loops with a no-op handler, for
 * `seconds`. The benchmark runs it as a generator next to rampart and autocannon, so "rampart ÷
 * undici" is what rampart's own layers cost.
 *
 *   node bench/undici-loop.ts <url> <connections> <seconds> [--vus N] [--think MIN-MAX] [--ramp MS] [--per-vu | --stack]
 *   node bench/undici-loop.ts <url> <connections> <seconds> --rate R [--warm N]
 *   (with --import tsx)
 *
 * By default there is one loop per connection of a shared Pool, each sending its next GET as soon as
 * the last one completed. The options make it the floor of the many-VU part: `--vus` loops (on a
 * Pool of `connections`, or with `--per-vu` each on its own Client), each thinking a uniform
 * MIN–MAX ms after every GET, started evenly over `--ramp` ms — the same load as rampart's
 * scenario, with nothing of rampart in it. `--stack` puts the shared connections on a stack of free
 * Clients with a queue for the requests that find none, instead of undici's Pool: a Pool looks for
 * a free connection by walking its clients from the first, which with 1,000 connections busy costs
 * 10–20 % of a request's CPU, and rampart's own pool (src/http/connection-pool.ts) does not.
 * These loops print the event loop's delay over the run too (p99 and max, ms): they send with every
 * connection busy, where rampart limits what is in flight to keep its loop on time.
 *
 * `--rate R` makes it the floor of an open model instead: R GETs per second, evenly spaced from the
 * start (a 1 ms timer dispatches the ones due, as rampart's open executor does), on the Pool of
 * `connections`, whatever is still in flight. It then also prints the whole run's p50 and p99 and
 * each second's p99, ms, from dispatch to the response's end (a wait for a free connection
 * included). `--warm N` first sends N GETs back to back on the Pool, so the measured load starts
 * with warm code and open connections, as rampart's warm-up intends (which sends none to the target).
 */
import { Client, Pool, type Dispatcher } from 'undici';
import { lagFigures, latencyBuckets, latencyFigures, loopArgs, openArrivals, startLag } from './lib/floor-loop.js';

const USAGE = 'usage: undici-loop <url> <connections> <seconds> [--vus N] [--think MIN-MAX] [--ramp MS] [--per-vu | --stack] | [--rate R [--warm N]]';

const args = loopArgs(process.argv, USAGE);
const { url, connections, seconds, vus, rampMs, perVu, rate, thinkMin, thinkMax } = args;
const stack = process.argv.includes('--stack');
if (perVu && stack) throw new Error(`--per-vu gives each VU its own Client: it takes no --stack\n${USAGE}`);
if (rate > 0 && (perVu || stack || args.vusGiven)) throw new Error(`--rate runs an open model: it takes no --vus, --per-vu or --stack\n${USAGE}`);
const warm = args.count(args.option('--warm'), 0, '--warm');
if (warm > 0 && rate === 0) throw new Error(`--warm goes with --rate\n${USAGE}`);

const origin = new URL(url).origin;
const path = new URL(url).pathname;
const options = { pipelining: 1, keepAliveTimeout: 4_000 };
/** What sends a GET: a Pool, the stack below, or one Client. */
type Sender = Pick<Dispatcher, 'dispatch'>;

/** Up to `max` Clients: a free one from the stack, a new one, or a place in the queue. */
class StackPool {
  readonly #free: Client[] = [];
  readonly #clients: Client[] = [];
  readonly #queue: [Dispatcher.DispatchOptions, Dispatcher.DispatchHandler][] = [];
  #head = 0;

  constructor(private readonly max: number) {}

  dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const client = this.#free.pop() ?? this.#grow();
    if (client === undefined) {
      this.#queue.push([opts, handler]);
      return false;
    }
    // A Client with pipelining 1 is busy until this request ends, then emits 'drain'.
    if (client.dispatch(opts, handler)) this.#free.push(client);
    return true;
  }

  #grow(): Client | undefined {
    if (this.#clients.length >= this.max) return undefined;
    const client = new Client(origin, options);
    client.on('drain', () => this.#release(client));
    this.#clients.push(client);
    return client;
  }

  #release(client: Client): void {
    const next = this.#queue[this.#head];
    if (next === undefined) {
      this.#free.push(client);
      return;
    }
    this.#queue[this.#head++] = undefined as never;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    if (client.dispatch(next[0], next[1])) this.#free.push(client);
  }

  close(): Promise<unknown> {
    return Promise.all(this.#clients.map((c) => c.close()));
  }
}

const pool = perVu ? undefined : stack ? new StackPool(connections) : new Pool(origin, { ...options, connections });
const clients: Client[] = [];
let stop = false;
let sent = 0;

/** One GET with a no-op handler that calls `settled` once it completed or failed. */
function get(d: Sender, settled: () => void): void {
  const handler: Dispatcher.DispatchHandler = {
    onConnect: () => undefined,
    onHeaders: () => true,
    onData: () => true,
    onComplete: settled,
    onError: settled,
  };
  d.dispatch({ path, method: 'GET', headers: { 'user-agent': 'undici-loop' } }, handler);
}

function once(d: Sender): Promise<void> {
  return new Promise((resolve) => get(d, () => resolve()));
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function vu(i: number): Promise<void> {
  if (rampMs > 0) await pause((rampMs * i) / vus);
  if (stop) return;
  let d: Sender | undefined = pool;
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

/** Latencies (ms) of an open model's arrivals, by the second of the load they were sent in. */
const bySecond = latencyBuckets(seconds);

/** `n` GETs back to back on up to 50 loops of the Pool. */
async function warmUp(d: Sender, n: number): Promise<void> {
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
  if (warm > 0) await warmUp(pool as Sender, warm);
  sent = await openArrivals(rate, seconds, bySecond, (done) => get(pool as Sender, done));
  const figures = latencyFigures(bySecond);
  await pool?.close();
  process.stdout.write(`${JSON.stringify({ requests: sent, ...figures })}\n`);
} else {
  // The event loop's delay while the loops run, as rampart's lag monitor reads it (10 ms resolution, taken off each sample).
  const lag = startLag();
  const loops = Array.from({ length: vus }, (_, i) => vu(i));
  setTimeout(() => (stop = true), seconds * 1000);
  await Promise.all(loops);
  lag.disable();
  const lagMs = lagFigures(lag);
  await Promise.all([pool?.close(), ...clients.map((c) => c.close())]);
  process.stdout.write(`${JSON.stringify({ requests: sent, ...lagMs })}\n`);
}
