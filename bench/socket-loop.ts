/**
 * The floor under every Node HTTP client: GETs written straight to `node:net` sockets, with only
 * the framing of the answer read (its status line, `content-length` and body length), no HTTP
 * client at all. The benchmark runs it beside rampart and the bare undici loop, so a ratio that
 * this loop misses too is Node's and the machine's (a wake-up of the event loop per arrival, the
 * socket's own system calls), not the HTTP client's or rampart's.
 *
 *   node bench/socket-loop.ts <url> <connections> <seconds> [--vus N] [--think MIN-MAX] [--ramp MS] [--per-vu]
 *   node bench/socket-loop.ts <url> <connections> <seconds> --rate R
 *   (with --import tsx)
 *
 * By default one loop per connection sends its next GET as soon as the last answer ended. `--vus`
 * runs that many loops, each thinking a uniform MIN–MAX ms after every answer, started evenly over
 * `--ramp` ms, on a stack of `connections` shared sockets (a GET that finds none free waits in a
 * queue), or with `--per-vu` each on its own socket. `--rate R` sends R GETs per second evenly
 * spaced from the start, on the shared sockets (a 1 ms timer sends the ones due, as rampart's open
 * executor does) once every connection is open, and ends once all of them are answered. It prints
 * `{requests, lagP99Ms, lagMaxMs}` at the end: the GETs answered and the event loop's delay over the
 * run; with `--rate` also `p50Ms`, `p99Ms` and `secondP99Ms` (each second's p99), ms, from a GET's
 * write (or its wait for a free connection) to its answer's end.
 *
 * Only for a target that answers every GET with a `content-length` (bench/target-server.ts does):
 * anything else ends the loop with an error.
 */
import { connect, type Socket } from 'node:net';
import { lagFigures, latencyBuckets, latencyFigures, loopArgs, openArrivals, startLag } from './lib/floor-loop.js';

const USAGE = 'usage: socket-loop <url> <connections> <seconds> [--vus N] [--think MIN-MAX] [--ramp MS] [--per-vu] | [--rate R]';

const args = loopArgs(process.argv, USAGE);
const { seconds, vus, rampMs, perVu, rate, thinkMin, thinkMax } = args;
const connections = Math.max(1, args.connections);
if (rate > 0 && (perVu || args.vusGiven)) throw new Error(`--rate runs an open model: it takes no --vus or --per-vu\n${USAGE}`);
const target = new URL(args.url);
if (target.protocol !== 'http:') throw new Error(`socket-loop speaks plain HTTP/1.1 only, got ${target.protocol}\n${USAGE}`);
const port = Number(target.port || 80);
const GET = Buffer.from(`GET ${target.pathname}${target.search} HTTP/1.1\r\nhost: ${target.host}\r\nuser-agent: socket-loop\r\n\r\n`, 'latin1');
const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * One keep-alive connection carrying one GET at a time. `get` writes a GET; `done` is called when
 * its answer has fully arrived (headers and `content-length` bytes of body).
 */
class Conn {
  socket!: Socket;
  #head: Buffer | undefined;
  /** Body bytes still to come of the answer being read; -1 while its headers are. */
  #rest = -1;
  #done: (() => void) | undefined;
  /** Resolves once the first socket is connected. */
  readonly connected: Promise<void>;

  constructor() {
    this.#open();
    this.connected = new Promise((resolve) => this.socket.once('connect', resolve));
  }

  /** A new socket; an idle one the target closes (its keep-alive timeout) is replaced, as a client's pool would. */
  #open(): void {
    const socket = connect({ port, host: target.hostname, noDelay: true });
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('error', (err) => fail(err));
    socket.on('close', () => {
      if (stop) return;
      if (this.#done !== undefined) fail(new Error('the target closed a connection before its answer ended'));
      else this.#open();
    });
  }

  get(done: () => void): void {
    this.#done = done;
    this.#rest = -1;
    this.socket.write(GET);
  }

  #read(chunk: Buffer): void {
    if (this.#rest < 0) {
      const head = this.#head === undefined ? chunk : Buffer.concat([this.#head, chunk]);
      const end = head.indexOf(HEAD_END);
      if (end < 0) {
        this.#head = head;
        return;
      }
      this.#head = undefined;
      const text = head.toString('latin1', 0, end);
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(text);
      if (m === null) return fail(new Error(`an answer without content-length: ${text.slice(0, 200)}`));
      this.#rest = Number(m[1]) - (head.length - end - HEAD_END.length);
    } else {
      this.#rest -= chunk.length;
    }
    if (this.#rest > 0) return;
    if (this.#rest < 0) return fail(new Error('more bytes than one answer (this loop sends one GET at a time)'));
    const done = this.#done;
    this.#done = undefined;
    answered++;
    done?.();
  }
}

/** Shared connections: a stack of free ones and a queue of GETs that found none. */
class Stack {
  readonly #free: Conn[] = [];
  readonly #queue: (() => void)[] = [];
  #head = 0;

  /** Resolves once every connection is connected. */
  readonly connected: Promise<unknown>;

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.#free.push(new Conn());
    this.connected = Promise.all(this.#free.map((c) => c.connected));
  }

  get(done: () => void): void {
    const c = this.#free.pop();
    if (c === undefined) this.#queue.push(done);
    else this.#send(c, done);
  }

  #send(c: Conn, done: () => void): void {
    c.get(() => {
      const next = this.#queue[this.#head];
      if (next === undefined) this.#free.push(c);
      else {
        this.#queue[this.#head++] = undefined as never;
        if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
          this.#queue.splice(0, this.#head);
          this.#head = 0;
        }
        this.#send(c, next);
      }
      done();
    });
  }
}

let stop = false;
let answered = 0;
const lag = startLag();

function fail(err: Error): void {
  if (stop) return;
  stop = true;
  process.stderr.write(`socket-loop: ${err.message}\n`);
  process.exit(1);
}

const think = (): number => thinkMin + Math.random() * (thinkMax - thinkMin);

function vu(shared: Stack | undefined): void {
  const conn = shared === undefined ? new Conn() : undefined;
  const next = (): void => {
    if (stop) return;
    if (thinkMax > 0) setTimeout(send, think());
    else send();
  };
  const send = (): void => {
    if (stop) return;
    if (conn !== undefined) conn.get(next);
    else (shared as Stack).get(next);
  };
  send();
}

/** Latencies (ms) of an open model's arrivals, by the second of the load they were sent in. */
const bySecond = latencyBuckets(seconds);

/** Prints what the loop did and exits (which closes every socket, busy or not). */
function finish(): void {
  if (stop) return;
  stop = true;
  lag.disable();
  // The event loop's delay, as rampart's lag monitor reads it (10 ms resolution, taken off each sample).
  const figures = { requests: answered, ...lagFigures(lag), ...(rate > 0 ? latencyFigures(bySecond) : {}) };
  process.stdout.write(`${JSON.stringify(figures)}\n`, () => process.exit(0));
}

const shared = perVu ? undefined : new Stack(connections);
// Open model, once every connection is open; it ends once every arrival is answered.
if (rate > 0) void (shared as Stack).connected.then(() => openArrivals(rate, seconds, bySecond, (done) => (shared as Stack).get(done)).then(finish));
else for (let i = 0; i < vus; i++) setTimeout(() => vu(shared), rampMs > 0 ? (rampMs * i) / vus : 0);

if (rate === 0) setTimeout(finish, seconds * 1000);
