/**
 * `npm run demo`: the whole product in one command. Makes Redis and Kafka available on loopback
 * (reusing running ones, starting only what is missing), starts the bundled mocks in their own
 * process, runs scenarios/demo.yaml against them with live progress, writes the reports under
 * reports/ (JSON, HTML, JUnit XML, Markdown), prints the summary, stops only what it started, and
 * exits with the run's exit code (0 passed, 1 a threshold failed, 2 invalid scenario, 3 engine
 * error, 130/143 interrupted).
 *
 *   npm run demo [-- --scenario FILE] [--reports DIR] [--env KEY=VALUE]… [--from-source]
 *
 * `--from-source` runs the rampart CLI from src/ through tsx instead of the build in dist/ (the
 * default when dist/ is missing); `--cli <args…>` is that entry itself: it runs `rampart <args…>`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServices, projectRoot } from './services/index.js';
import { EXIT, signalExitCode } from '../src/exit-codes.js';

interface DemoArgs {
  readonly scenario: string;
  readonly reports: string;
  readonly env: readonly string[];
  readonly fromSource: boolean;
}

const USAGE = 'usage: npm run demo -- [--scenario FILE] [--reports DIR] [--env KEY=VALUE]… [--from-source]';
/** Mocks state is kept apart from `npm run mocks` and from the tests. */
const MOCKS_ISOLATION = ['--key-prefix', 'rampart:demo:', '--orders-topic', 'rampart.demo.orders', '--orders-group', 'rampart-demo'];
const READY_TIMEOUT_MS = 60_000;

class UsageProblem extends Error {}

function parseArgs(argv: readonly string[]): DemoArgs {
  let scenario = 'scenarios/demo.yaml';
  let reports = 'reports';
  let fromSource = !existsSync(join(projectRoot, 'dist', 'src', 'cli', 'main.js'));
  const env: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--from-source') fromSource = true;
    else if ((a === '--scenario' || a === '--reports' || a === '--env') && (v === undefined || v.startsWith('--'))) throw new UsageProblem(`${a} needs a value`);
    else if (a === '--scenario' || a === '--reports' || a === '--env') {
      const value = v as string;
      if (a === '--scenario') scenario = value;
      else if (a === '--reports') reports = value;
      else env.push(value);
      i++;
    } else throw new UsageProblem(`unknown argument ${a ?? ''}`);
  }
  const file = resolve(process.cwd(), scenario);
  if (!existsSync(file)) throw new UsageProblem(`no scenario at ${file}`);
  return { scenario: file, reports: resolve(process.cwd(), reports), env, fromSource };
}

/** How to start `rampart …`: the build in dist/, or src/ through tsx (this file's `--cli` entry). */
function rampart(fromSource: boolean): readonly string[] {
  return fromSource ? ['--import', 'tsx', fileURLToPath(import.meta.url), '--cli'] : [join(projectRoot, 'bin', 'rampart.js')];
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited(child)) throw new Error(`the mocks exited with code ${child.exitCode ?? child.signalCode} before they were ready`);
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the mocks at ${url} were not ready within ${timeoutMs / 1000} s (${last})`);
}

/**
 * Places one order and polls it until `done`: a fresh consumer group takes a few seconds to get
 * its partitions, and the scenario's first orders should not pay for that.
 */
async function waitOrdersFlow(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const res = await fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ productId: 'demo-warm-up', qty: 1 }),
    signal: AbortSignal.timeout(5000),
  });
  if (res.status !== 202) throw new Error(`POST /orders answered ${res.status}`);
  const { jobId } = (await res.json()) as { jobId: string };
  while (Date.now() < deadline) {
    const job = (await (await fetch(`${url}/orders/${jobId}`, { signal: AbortSignal.timeout(5000) })).json()) as { status?: string };
    if (job.status === 'done') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`a first order was not done within ${timeoutMs / 1000} s`);
}

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves when the child is gone. */
function stopChild(child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((ok) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      ok();
    });
    child.kill('SIGTERM');
  });
}

function exitCodeOf(child: ChildProcess): Promise<number> {
  return new Promise((ok) => {
    const done = (c: number | null, sig: NodeJS.Signals | null): void => ok(c ?? (sig === 'SIGINT' || sig === 'SIGTERM' ? signalExitCode(sig) : EXIT.ENGINE));
    if (exited(child)) done(child.exitCode, child.signalCode);
    else child.once('exit', done);
  });
}

const log = (line: string): void => {
  process.stderr.write(`demo: ${line}\n`);
};

/** Forwards a child's output to our stderr line by line, each line prefixed. */
function prefixLines(stream: NodeJS.ReadableStream | null, prefix: string): void {
  let rest = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) if (l.trim() !== '') log(`${prefix}${l}`);
  });
  stream?.on('end', () => {
    if (rest.trim() !== '') log(`${prefix}${rest}`);
  });
}

/** A path as short as it reads: relative to the working directory when below it. */
function shown(path: string): string {
  const r = relative(process.cwd(), path);
  return r === '' || r.startsWith('..') ? path : r;
}
const seconds = (sinceMs: number): string => `${((Date.now() - sinceMs) / 1000).toFixed(1)} s`;

const MEANING: Record<number, string> = {
  [EXIT.OK]: 'every threshold passed',
  [EXIT.FAILED]: 'a threshold failed',
  [EXIT.INVALID]: 'the scenario or the command line is invalid',
  [EXIT.ENGINE]: 'the engine could not run',
  [EXIT.SIGINT]: 'interrupted (SIGINT)',
  [EXIT.SIGTERM]: 'interrupted (SIGTERM)',
};

async function demo(): Promise<number> {
  let args: DemoArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageProblem)) throw err;
    log(err.message);
    log(USAGE);
    return EXIT.INVALID;
  }
  const cli = rampart(args.fromSource);
  const name = basename(args.scenario, extname(args.scenario));
  mkdirSync(args.reports, { recursive: true });

  // Children run in their own process groups: a Ctrl-C reaches only this script, which forwards
  // it once to the run (a second one would make the run leave without its report).
  let interrupted: NodeJS.Signals | undefined;
  let run: ChildProcess | undefined;
  const onSignal = (sig: NodeJS.Signals) => (): void => {
    if (interrupted !== undefined) {
      if (run && !exited(run)) run.kill(sig);
      return;
    }
    interrupted = sig;
    if (run && !exited(run)) run.kill(sig);
    else log(`${sig}: stopping…`);
  };
  process.on('SIGINT', onSignal('SIGINT'));
  process.on('SIGTERM', onSignal('SIGTERM'));
  const interruptedCode = (): number => signalExitCode(interrupted === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');

  let t0 = Date.now();
  log('making Redis and Kafka available on loopback…');
  const services = await ensureServices({ env: process.env, log: (l) => log(`services: ${l}`) });
  log(`redis ${services.redisUrl}, kafka ${services.kafkaBrokers} (${services.started.length > 0 ? `started ${services.started.join(' and ')}` : 'reused'}, ${seconds(t0)})`);
  let mocks: ChildProcess | undefined;
  try {
    if (interrupted) return interruptedCode();
    t0 = Date.now();
    let target = '';
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      target = `http://127.0.0.1:${port}`;
      log(`starting the mocks on ${target}…`);
      mocks = spawn(
        process.execPath,
        [...cli, 'mocks', '--port', String(port), '--admin', '--redis-url', services.redisUrl, '--kafka-brokers', services.kafkaBrokers, ...MOCKS_ISOLATION],
        { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' } },
      );
      prefixLines(mocks.stderr, 'mocks: ');
      try {
        await waitReady(target, mocks, READY_TIMEOUT_MS);
        break;
      } catch (err) {
        await stopChild(mocks);
        // The free port can be taken between the probe and the bind: try another one.
        if (attempt >= 3 || interrupted) throw err;
        log(`${(err as Error).message}; trying again`);
      }
    }
    log(`mocks ready (${seconds(t0)})`);
    t0 = Date.now();
    try {
      await waitOrdersFlow(target, READY_TIMEOUT_MS);
      log(`the order queue flows (${seconds(t0)})`);
    } catch (err) {
      log(`warning: the order queue does not flow yet: ${(err as Error).message}`);
    }
    if (interrupted) return interruptedCode();

    const out = (ext: string): string => join(args.reports, `${name}${ext}`);
    const json = out('.json');
    const runArgs = [...cli, 'run', args.scenario, '--target', target, '--out', json, ...args.env.flatMap((e) => ['--env', e])];
    log(`running ${shown(args.scenario)}…`);
    run = spawn(process.execPath, runArgs, { stdio: 'inherit', detached: true, env: process.env });
    const code = await exitCodeOf(run);
    log(`the run ended with exit code ${code} (${MEANING[code] ?? 'see the output above'})`);
    if (existsSync(json)) {
      // The JSON report is the source for the other formats.
      const others = `html=${out('.html')},junit=${out('.junit.xml')},md=${out('.md')}`;
      const render = spawn(process.execPath, [...cli, 'report', json, '--report', others], { stdio: ['ignore', 'ignore', 'pipe'] });
      let why = '';
      render.stderr?.on('data', (c: Buffer) => (why += c.toString()));
      const rendered = await exitCodeOf(render);
      if (rendered !== 0) log(`the HTML/JUnit/Markdown reports could not be written (exit ${rendered}): ${why.trim()}`);
      const files = [json, ...(rendered === 0 ? [out('.html'), out('.junit.xml'), out('.md')] : [])];
      log(`reports: ${files.map(shown).join(', ')}`);
    }
    return code;
  } finally {
    t0 = Date.now();
    if (mocks) await stopChild(mocks);
    await services.stop();
    log(`stopped the mocks${services.started.length > 0 ? ` and the ${services.started.join(' and ')} started for the demo` : ''} (${seconds(t0)})`);
  }
}

async function cliEntry(argv: readonly string[]): Promise<number> {
  const { main } = await import('../src/cli/main.js');
  return main(argv);
}

const argv = process.argv.slice(2);
(argv[0] === '--cli' ? cliEntry(argv.slice(1)) : demo()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    log(err instanceof Error ? err.message : String(err));
    process.exitCode = EXIT.ENGINE;
  },
);
