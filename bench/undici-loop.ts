/**
 * The floor under rampart's HTTP client: a bare undici Pool driven by `connections` loops of
 * `dispatch` with a no-op handler, for `seconds`. The benchmark runs it as a generator next to
 * rampart and autocannon, so "rampart ÷ undici" is what rampart's own layers cost.
 *
 *   node bench/undici-loop.ts <url> <connections> <seconds>     (with --import tsx)
 */
import { Pool, type Dispatcher } from 'undici';

const [url, connArg, secArg] = process.argv.slice(2);
if (url === undefined) throw new Error('usage: undici-loop <url> <connections> <seconds>');
const connections = Number(connArg ?? 50);
const seconds = Number(secArg ?? 10);
const pool = new Pool(new URL(url).origin, { connections, pipelining: 1, keepAliveTimeout: 4_000 });
const path = new URL(url).pathname;
let stop = false;
let count = 0;

function once(): Promise<void> {
  return new Promise((resolve) => {
    const handler: Dispatcher.DispatchHandler = {
      onConnect: () => undefined,
      onHeaders: () => true,
      onData: () => true,
      onComplete: () => resolve(),
      onError: () => resolve(),
    };
    pool.dispatch({ path, method: 'GET', headers: { 'user-agent': 'undici-loop' } }, handler);
  });
}

const loops = Array.from({ length: connections }, async () => {
  while (!stop) {
    await once();
    count++;
  }
});
setTimeout(() => (stop = true), seconds * 1000);
await Promise.all(loops);
await pool.close();
process.stdout.write(`${JSON.stringify({ requests: count })}\n`);
