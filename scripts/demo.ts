/**
 * `npm run demo`: the whole product in one command. Makes Redis and Kafka available on loopback
 * (reusing running ones, starting only what is missing), starts the bundled mocks in their own
 * process, runs scenarios/demo.yaml against them with live progress, writes the reports under
 * reports/ (JSON, HTML, JUnit XML, Markdown), prints the summary, stops only what it started, and
 * exits with the run's exit code (0 passed, 1 a threshold failed, 2 invalid scenario, 3 engine
 * error, 130/143 interrupted).
 *
 *   npm run demo [-- --scenario FILE] [--reports DIR] [--env KEY=VALUE]… [--from-source]
 *   npm run demo -- --topology [--instances N] [--break consumer | --kill-instance] [same options]
 *
 * `--topology` runs scenarios/autoscaling.yaml through the gateway topology with Prometheus
 * instead (scripts/demo-topology.ts). `--from-source` runs the rampart CLI from src/ through tsx
 * instead of the build in dist/ (the default when dist/bundle/ is missing); `--cli <args…>` is that entry
 * itself: it runs `rampart <args…>`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, extname, join, resolve } from 'node:path';
import { MEANING, READY_TIMEOUT_MS, demoSignals, exitCodeOf, exited, log, prefixLines, rampartCommand, seconds, shown, stopChild, waitOrdersFlow, writeReports } from './demo-support.js';
import { demoTopology, type TopologyTwin } from './demo-topology.js';
import { ensureServices, projectRoot } from './services/index.js';
import { EXIT } from '../src/exit-codes.js';

interface DemoArgs {
  readonly scenario: string;
  readonly reports: string;
  readonly env: readonly string[];
  readonly fromSource: boolean;
  /** `--topology`: the gateway topology with Prometheus, and its twin when one is asked for. */
  readonly topology?: { readonly instances: number; readonly twin?: TopologyTwin };
}

const USAGE = [
  'usage: npm run demo -- [--scenario FILE] [--reports DIR] [--env KEY=VALUE]… [--from-source]',
  '       npm run demo -- --topology [--instances N] [--break consumer | --kill-instance] [--scenario FILE] [--reports DIR] [--env KEY=VALUE]…',
].join('\n');
/** Mocks state is kept apart from `npm run mocks` and from the tests. */
const MOCKS_ISOLATION = ['--key-prefix', 'rampart:demo:', '--orders-topic', 'rampart.demo.orders', '--orders-group', 'rampart-demo'];

class UsageProblem extends Error {}

const VALUED = new Set(['--scenario', '--reports', '--env', '--break', '--instances']);

function parseArgs(argv: readonly string[]): DemoArgs {
  let scenario: string | undefined;
  let reports = 'reports';
  let fromSource = !existsSync(join(projectRoot, 'dist', 'bundle', 'main.js'));
  let topology = false;
  let instances = 2;
  let twin: TopologyTwin | undefined;
  const env: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const v = argv[i + 1];
    if (a === '--from-source') fromSource = true;
    else if (a === '--topology') topology = true;
    else if (a === '--kill-instance') twin = twin === undefined ? 'kill-instance' : twinTwice();
    else if (!VALUED.has(a)) throw new UsageProblem(`unknown argument ${a}`);
    else if (v === undefined || v.startsWith('--')) throw new UsageProblem(`${a} needs a value`);
    else {
      i++;
      if (a === '--scenario') scenario = v;
      else if (a === '--reports') reports = v;
      else if (a === '--env') env.push(v);
      else if (a === '--instances') instances = Number(v);
      else if (v !== 'consumer') throw new UsageProblem(`--break: the topology demo breaks the consumer only (--break consumer), got "${v}"`);
      else twin = twin === undefined ? 'break-consumer' : twinTwice();
    }
  }
  if (!topology && (twin !== undefined || argv.includes('--instances'))) throw new UsageProblem('--break, --kill-instance and --instances go with --topology');
  if (!Number.isInteger(instances) || instances < 2 || instances > 8) throw new UsageProblem(`--instances must be an integer from 2 to 8, got "${argv[argv.indexOf('--instances') + 1]}"`);
  const file = resolve(process.cwd(), scenario ?? (topology ? 'scenarios/autoscaling.yaml' : 'scenarios/demo.yaml'));
  if (!existsSync(file)) throw new UsageProblem(`no scenario at ${file}`);
  return { scenario: file, reports: resolve(process.cwd(), reports), env, fromSource, ...(topology ? { topology: { instances, twin } } : {}) };
}

function twinTwice(): never {
  throw new UsageProblem('one twin at a time: --break consumer or --kill-instance');
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
  const cli = rampartCommand(args.fromSource);
  const name = basename(args.scenario, extname(args.scenario));
  mkdirSync(args.reports, { recursive: true });
  const signals = demoSignals();
  const interrupted = (): boolean => signals.interrupted() !== undefined;
  if (args.topology !== undefined) return demoTopology({ ...args, ...args.topology, name, cli, signals });

  let t0 = Date.now();
  log('making Redis and Kafka available on loopback…');
  const services = await ensureServices({ env: process.env, log: (l) => log(`services: ${l}`) });
  log(`redis ${services.redisUrl}, kafka ${services.kafkaBrokers} (${services.started.length > 0 ? `started ${services.started.join(' and ')}` : 'reused'}, ${seconds(t0)})`);
  let mocks: ChildProcess | undefined;
  try {
    if (interrupted()) return signals.code();
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
        if (attempt >= 3 || interrupted()) throw err;
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
    if (interrupted()) return signals.code();

    const base = join(args.reports, name);
    const runArgs = [...cli, 'run', args.scenario, '--target', target, '--out', `${base}.json`, ...args.env.flatMap((e) => ['--env', e])];
    log(`running ${shown(args.scenario)}…`);
    const run = spawn(process.execPath, runArgs, { stdio: 'inherit', detached: true, env: process.env });
    signals.forwardTo(run);
    const code = await exitCodeOf(run);
    log(`the run ended with exit code ${code} (${MEANING[code] ?? 'see the output above'})`);
    // The JSON report is the source for the other formats.
    await writeReports(cli, base);
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
