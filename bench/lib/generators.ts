/**
 * The load generators the benchmark compares — rampart (its CLI, as a user runs it), autocannon
 * (its CLI) and wrk when installed — each a child process pinned to CPU 1, and the measurement
 * window every one of them goes through: requests counted at the target, generator CPU read from
 * /proc, over the same aligned 100 ms buckets.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuUs, delay, epochMs, probe, spawnBounded, type Spawned } from './proc.js';
import { windowFigures, type WindowFigures } from './stats.js';
import type { Target } from './target.js';

/** The generator's CPU (the target has CPU 0). */
export const GENERATOR_CPU = 1;

let wrk: boolean | undefined;
/** Whether wrk is installed; probed once. */
export function hasWrk(): boolean {
  wrk ??= probe('sh', ['-c', 'command -v wrk']);
  return wrk;
}

export interface Measurement extends WindowFigures {
  readonly generator: string;
  /** Requests per 100 ms at the target in the window. */
  readonly windows: readonly number[];
  readonly requests: number;
  /** Latency percentiles the generator reported, ms (NaN when it reported none). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Peak RSS of the generator, bytes. */
  readonly peakRssBytes: number;
  /** rampart's JSON report, when the generator was rampart. */
  readonly report?: RampartReport;
  /** Each second's p99, ms, when the generator reports it itself (the bare undici open loop). */
  readonly secondP99Ms?: readonly number[];
  /** The event loop's delay over the run, ms, when the generator reports it itself (the bare undici VU loops). */
  readonly lag?: { readonly p99Ms: number; readonly maxMs: number };
  readonly exit: number | string;
  /** Epoch ms: the command was spawned, the target saw its first request. */
  readonly spawnedAt: number;
  readonly firstRequestAt: number;
}

/** The parts of rampart's report (schemas/report.schema.json) the benchmark reads. */
export interface RampartReport {
  readonly verdict: string;
  readonly series: readonly { metric: string; tags: Record<string, string>; count: number; p50: number; p99: number; rate: number }[];
  readonly generator: { lateArrivals: number; droppedArrivals: number; eventLoopLagP99Ms: number; eventLoopLagMaxMs: number; overloaded: boolean; gc?: { maxMs: number }; warmUp?: { durationMs: number } };
  readonly journeys?: readonly { name: string; started: number; completed: number; failed: number; dropped: number }[];
  readonly timeline?: readonly { t: number; started: number; dropped: number; p99: number; lagMaxMs?: number; gcMs?: number }[];
  readonly warnings: readonly string[];
}

export interface WindowPlan {
  /** Wait this long after the first request before measuring, ms. */
  readonly warmupMs: number;
  /** Measured window, ms (a multiple of 100). */
  readonly windowMs: number;
  /** The generator's whole run may take this long before it is killed, ms. */
  readonly timeoutMs: number;
}

/** What a generator said about its run. */
export interface Parsed {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly report?: RampartReport;
  readonly secondP99Ms?: readonly number[];
  readonly lag?: { readonly p99Ms: number; readonly maxMs: number };
}

/** A command to run as a generator. */
export interface GeneratorCommand {
  readonly name: string;
  readonly cmd: string;
  readonly args: readonly string[];
  /** Reads percentiles (and a report) once the process exited. */
  readonly parse: (stdout: string) => Parsed;
  readonly cleanup?: () => void;
}

/** rampart's CLI (bin/rampart.js over dist/) running a scenario text against the target. */
export function rampartCommand(root: string, name: string, scenario: string, targetUrl: string): GeneratorCommand {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-'));
  const file = join(dir, 'scenario.yaml');
  const out = join(dir, 'report.json');
  writeFileSync(file, scenario);
  return {
    name,
    cmd: process.execPath,
    args: [join(root, 'bin/rampart.js'), 'run', file, '--target', targetUrl, '--quiet', '--out', out, '--seed', '1'],
    parse: () => {
      if (!existsSync(out)) return { p50Ms: NaN, p99Ms: NaN };
      const report = JSON.parse(readFileSync(out, 'utf8')) as RampartReport;
      const lat = [...report.series].filter((s) => s.metric === 'http.latency').sort((a, b) => b.count - a.count)[0];
      return { p50Ms: lat?.p50 ?? NaN, p99Ms: lat?.p99 ?? NaN, report };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** autocannon 9's CLI with JSON output; `rate` paces it (`--overallRate`). */
export function autocannonCommand(root: string, o: { connections: number; durationS: number; rate?: number }, url: string): GeneratorCommand {
  const args = [join(root, 'node_modules/autocannon/autocannon.js'), '-c', String(o.connections), '-d', String(o.durationS), '-j', '-n'];
  if (o.rate !== undefined) args.push('-R', String(o.rate));
  args.push(`${url}/`);
  return {
    name: o.rate !== undefined ? `autocannon -R ${o.rate}` : 'autocannon',
    cmd: process.execPath,
    args,
    parse: (stdout) => {
      try {
        const j = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { latency?: { p50?: number; p99?: number } };
        return { p50Ms: j.latency?.p50 ?? NaN, p99Ms: j.latency?.p99 ?? NaN };
      } catch {
        return { p50Ms: NaN, p99Ms: NaN };
      }
    },
  };
}

/** What a floor loop runs: the load's shape, as bench/undici-loop.ts and bench/socket-loop.ts take it. */
export interface FloorLoad {
  readonly connections: number;
  readonly durationS: number;
  readonly vus?: number;
  readonly thinkMs?: readonly [number, number];
  readonly rampMs?: number;
  readonly perVu?: boolean;
  readonly rate?: number;
}

function floorArgs(root: string, script: string, o: FloorLoad, url: string): string[] {
  const args = ['--import', 'tsx', join(root, script), `${url}/`, String(o.connections), String(o.durationS)];
  if (o.vus !== undefined) args.push('--vus', String(o.vus));
  if (o.thinkMs !== undefined) args.push('--think', `${o.thinkMs[0]}-${o.thinkMs[1]}`);
  if (o.rampMs !== undefined) args.push('--ramp', String(o.rampMs));
  if (o.perVu === true) args.push('--per-vu');
  if (o.rate !== undefined) args.push('--rate', String(o.rate));
  return args;
}

function floorName(kind: string, o: FloorLoad): string {
  return o.rate !== undefined ? `${kind} open ${o.rate}/s` : o.vus !== undefined ? `${kind} ${o.vus} VUs${o.perVu === true ? ' per VU' : ''}` : `${kind} ${kind === 'undici' ? 'dispatch' : 'write'} loop`;
}

/**
 * A bare undici dispatch loop (bench/undici-loop.ts): the floor under rampart's HTTP client. With
 * `vus`, `thinkMs`, `rampMs` and `perVu` it runs the many-VU part's load with nothing of rampart in
 * it (`stack`: its shared connections on a stack of free Clients instead of undici's Pool); with
 * `rate`, an open model's evenly spaced arrivals, after `warm` GETs back to back, and its latency
 * (whole run and each second).
 */
export function undiciCommand(root: string, o: FloorLoad & { stack?: boolean; warm?: number }, url: string): GeneratorCommand {
  const args = floorArgs(root, 'bench/undici-loop.ts', o, url);
  if (o.stack === true) args.push('--stack');
  if (o.warm !== undefined) args.push('--warm', String(o.warm));
  return { name: floorName('undici', o), cmd: process.execPath, args, parse: parseUndiciLoop };
}

/**
 * GETs written straight to sockets (bench/socket-loop.ts), no HTTP client: the floor under every
 * Node client, the same loads as {@link undiciCommand} (shared connections always on a stack).
 */
export function socketCommand(root: string, o: FloorLoad, url: string): GeneratorCommand {
  return { name: floorName('socket', o), cmd: process.execPath, args: floorArgs(root, 'bench/socket-loop.ts', o, url), parse: parseUndiciLoop };
}

/** What bench/undici-loop.ts (or bench/socket-loop.ts) printed: latency figures in an open model, the event loop's delay. */
export function parseUndiciLoop(stdout: string): Parsed {
  try {
    const j = JSON.parse(stdout.slice(stdout.indexOf('{'))) as Record<string, unknown>;
    const n = (v: unknown): number => (typeof v === 'number' ? v : NaN);
    return {
      p50Ms: n(j.p50Ms),
      p99Ms: n(j.p99Ms),
      ...(Array.isArray(j.secondP99Ms) ? { secondP99Ms: j.secondP99Ms.map(n) } : {}),
      ...(j.lagP99Ms !== undefined ? { lag: { p99Ms: n(j.lagP99Ms), maxMs: n(j.lagMaxMs) } } : {}),
    };
  } catch {
    return { p50Ms: NaN, p99Ms: NaN };
  }
}

/** wrk (one thread) with its latency distribution. */
export function wrkCommand(o: { connections: number; durationS: number }, url: string): GeneratorCommand {
  return {
    name: 'wrk',
    cmd: 'wrk',
    args: ['-t1', `-c${o.connections}`, `-d${o.durationS}s`, '--latency', `${url}/`],
    parse: (stdout) => ({ p50Ms: wrkPercentile(stdout, '50%'), p99Ms: wrkPercentile(stdout, '99%') }),
  };
}

/** A percentile line of wrk's `--latency` output (`99%  1.23ms`), in ms. */
export function wrkPercentile(text: string, label: string): number {
  const m = new RegExp(`^\\s*${label.replace('%', '\\%')}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

/**
 * Runs a generator pinned to CPU 1, waits for its first request at the target, lets it warm up,
 * measures one aligned window, then waits for it to exit and parses what it reported.
 */
export async function measure(root: string, g: GeneratorCommand, target: Target, w: WindowPlan): Promise<Measurement> {
  await target.mark();
  const spawnedAt = epochMs();
  const proc: Spawned = spawnBounded(g.cmd, g.args, { cpu: GENERATOR_CPU, cwd: root, timeoutMs: w.timeoutMs });
  let exited = false;
  void proc.exited.then(() => (exited = true));
  try {
    // The first request (polling the target's count).
    let firstRequestAt = 0;
    const deadline = spawnedAt + Math.min(w.timeoutMs, 30_000);
    while (!exited && epochMs() < deadline) {
      const s = await target.stats(0, 0);
      if (s.firstAt > 0) {
        firstRequestAt = s.firstAt;
        break;
      }
      await delay(20);
    }
    if (firstRequestAt === 0) throw new Error(`${g.name} sent nothing (exit ${exited ? await proc.exited : 'pending'}): ${proc.err().slice(0, 2000)}`);
    await delay(firstRequestAt + w.warmupMs - epochMs());
    // Align to the target's 100 ms buckets.
    const now = epochMs();
    const from = Math.ceil(now / 100) * 100;
    await delay(from - now);
    const cpu0 = cpuUs(proc.pid);
    const to = from + w.windowMs;
    await delay(to - epochMs());
    const cpu1 = cpuUs(proc.pid);
    const stats = await target.stats(from, to);
    const exit = await proc.exited;
    // Killed by a signal (a crash, not a verdict): what it said last is the only trace of why.
    if (typeof exit === 'string') process.stderr.write(`${g.name} was killed by ${exit}; the end of its stderr:\n${proc.err().slice(-4000)}\n`);
    const requests = stats.windows.reduce((a, b) => a + b, 0);
    const elapsedMs = stats.windows.length * 100;
    const parsed = g.parse(proc.out());
    return {
      generator: g.name,
      ...windowFigures({ requests, elapsedMs, cpuUs: cpu1 - cpu0 }),
      windows: stats.windows,
      requests,
      p50Ms: parsed.p50Ms,
      p99Ms: parsed.p99Ms,
      peakRssBytes: proc.peakRss(),
      ...(parsed.report !== undefined ? { report: parsed.report } : {}),
      ...(parsed.secondP99Ms !== undefined ? { secondP99Ms: parsed.secondP99Ms } : {}),
      ...(parsed.lag !== undefined ? { lag: parsed.lag } : {}),
      exit,
      spawnedAt,
      firstRequestAt,
    };
  } finally {
    if (!exited) proc.child.kill('SIGKILL');
    await proc.exited;
    g.cleanup?.();
  }
}
