import { Option } from 'commander';
import type { RegisterCommand } from '../main.js';
import type { CliIo } from '../io.js';
import { stopWithParent } from '../signals.js';
import type { Topology } from '../../../mocks/topology/index.js';
// Only the light configuration modules at start-up: the services (Fastify, ioredis, kafkajs) are
// imported when `rampart mocks` actually runs, so every other command starts faster.
import { MocksConfigError, type MocksConfig, type MocksConfigInput } from '../../../mocks/common/config.js';
import { resolveConfig } from '../../../mocks/common/config-validate.js';
import { configFromEnv } from '../../../mocks/common/env.js';
import { SETTINGS, convertSetting, withSetting, type SettingSpec } from '../../../mocks/common/settings-table.js';
import { EXIT } from '../../exit-codes.js';

/** Flags whose value may be repeated or comma-separated (`--service catalog --service orders`). */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter((v) => v !== '')];
}

/** commander's camelCase attribute name of a flag: `origin-latency-ms` → `originLatencyMs`. */
function attr(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function option(s: SettingSpec): Option {
  if (s.kind === 'bool') return new Option(`--${s.flag}`, `${s.description} [env ${s.env}]`);
  const o = new Option(`--${s.flag} <${s.kind === 'list' ? 'names' : 'value'}>`, `${s.description} [env ${s.env}]`);
  return s.kind === 'list' ? o.argParser(collect) : o;
}

/** Flags over environment over defaults. */
export function mocksInput(flags: Record<string, unknown>, env: CliIo['env']): MocksConfigInput {
  let input = configFromEnv(env);
  for (const s of SETTINGS) {
    const v = flags[attr(s.flag)];
    if (v === undefined) continue;
    const value = s.kind === 'list' || s.kind === 'bool' ? v : convertSetting(s.kind, String(v));
    input = withSetting(input, s.path, value);
  }
  return input;
}

function banner(url: string, config: MocksConfig, routes: Readonly<Record<string, readonly string[]>>): string {
  const lines = [`rampart mocks listening on ${url}`];
  for (const s of config.services) lines.push(`  ${s.padEnd(9)} ${(routes[s] ?? []).join(' · ')}`);
  lines.push(`  common    GET /health/live · GET /health/ready · GET /metrics${config.admin.enabled ? ' · /admin/faults/:service · /admin/upstream' : ''}`);
  if (config.rateLimit.enabled) lines.push(`  rate limit ${config.rateLimit.max} requests per ${config.rateLimit.windowMs} ms per client (shared through Redis)`);
  if (config.breaks.length > 0) lines.push(`  BROKEN on purpose: ${config.breaks.join(', ')}`);
  lines.push('  Ctrl-C stops gracefully.');
  return `${lines.join('\n')}\n`;
}

/**
 * `rampart mocks` — starts the bundled services (all on one port, or one with `--service`) and
 * serves until SIGINT/SIGTERM, then drains in-flight requests and exits 0. Invalid settings exit 2
 * with one line per problem; a port in use or another start failure exits 3.
 */
export const registerMocks: RegisterCommand = (program, io, setExit) => {
  const cmd = program
    .command('mocks')
    .description('start the bundled mock services (catalog, orders, payments) on 127.0.0.1:8080')
    .addHelpText('after', '\nSettings come from flags, then environment variables, then defaults. See docs/mocks.md.');
  for (const s of SETTINGS) cmd.addOption(option(s));
  cmd.addOption(new Option('--instances <n>', 'with --gateway: instances of each service, one process each (default 3)'));
  cmd.addOption(new Option('--gateway <port>', 'start the instances behind an HAProxy gateway on this port (0 = any free one); see docs/topology.md'));
  cmd.addOption(new Option('--balance <mode>', 'with --gateway: roundrobin or leastconn (default roundrobin)').choices(['roundrobin', 'leastconn']));
  cmd.addOption(new Option('--gateway-stats-port <port>', 'with --gateway: port of the stats page and /metrics (default any free one)'));
  cmd.addOption(new Option('--prometheus [port]', `with --gateway: also start Prometheus scraping the instances and the gateway, with deploy/monitoring's rules (port default ${DEFAULT_PROMETHEUS_PORT}, 0 = any free one)`));
  cmd.action(async (flags: Record<string, unknown>) => {
    let config: MocksConfig;
    try {
      config = resolveConfig(mocksInput(flags, io.env));
    } catch (err) {
      if (!(err instanceof MocksConfigError)) throw err;
      io.stderr.write(`rampart mocks: invalid settings\n${err.issues.map((i) => `  - ${i}\n`).join('')}`);
      setExit(EXIT.INVALID);
      return;
    }
    if (flags.gateway !== undefined || flags.instances !== undefined || flags.prometheus !== undefined) {
      setExit(await serveTopology(flags, config, io));
      return;
    }
    const { SERVICE_ROUTES, startMocks } = await import('../../../mocks/index.js');
    let running;
    try {
      running = await startMocks({ config });
    } catch (err) {
      io.stderr.write(`rampart mocks: cannot start on ${config.host}:${config.port}: ${(err as Error).message}\n`);
      setExit(EXIT.ENGINE);
      return;
    }
    io.stdout.write(banner(running.url, config, SERVICE_ROUTES));
    // Started through npx (npm exec → sh → node), a SIGTERM to npx would leave this process running.
    const unwatch = stopWithParent(io);
    const signal = await waitForSignal(io);
    unwatch();
    io.stderr.write(`rampart mocks: ${signal}, draining in-flight requests (again to force)…\n`);
    // A second signal while draining drops what is left instead of waiting shutdownTimeoutMs.
    const force = (): void => running.app.server.closeAllConnections();
    io.signals.once('SIGINT', force);
    io.signals.once('SIGTERM', force);
    try {
      await running.close();
    } finally {
      io.signals.off('SIGINT', force);
      io.signals.off('SIGTERM', force);
    }
    io.stderr.write('rampart mocks: stopped\n');
    setExit(EXIT.OK);
  });
};

function waitForSignal(io: CliIo): Promise<NodeJS.Signals> {
  return new Promise<NodeJS.Signals>((resolve) => {
    const onInt = (): void => done('SIGINT');
    const onTerm = (): void => done('SIGTERM');
    const done = (s: NodeJS.Signals): void => {
      io.signals.off('SIGINT', onInt);
      io.signals.off('SIGTERM', onTerm);
      resolve(s);
    };
    io.signals.on('SIGINT', onInt);
    io.signals.on('SIGTERM', onTerm);
  });
}

/** `--prometheus` without a port: where scenarios look for it by default (`PROMETHEUS_URL`). */
const DEFAULT_PROMETHEUS_PORT = 9090;

function portFlag(v: unknown, name: string): number | string {
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : `--${name} must be a port from 0 to 65535, got ${JSON.stringify(v)}`;
}

/** `rampart mocks --instances N --gateway <port>`: N processes per service behind HAProxy. Returns the exit code. */
async function serveTopology(flags: Record<string, unknown>, config: MocksConfig, io: CliIo): Promise<number> {
  const problems: string[] = [];
  const instances = flags.instances === undefined ? 3 : Number(flags.instances);
  if (!Number.isInteger(instances) || instances < 1 || instances > 32) problems.push(`--instances must be an integer from 1 to 32, got ${JSON.stringify(flags.instances)}`);
  if (flags.gateway === undefined) problems.push(`${flags.instances === undefined ? '--prometheus' : '--instances'} needs --gateway <port>`);
  const gatewayPort = flags.gateway === undefined ? 0 : portFlag(flags.gateway, 'gateway');
  const statsPort = flags.gatewayStatsPort === undefined ? 0 : portFlag(flags.gatewayStatsPort, 'gateway-stats-port');
  const promPort = flags.prometheus === undefined ? undefined : flags.prometheus === true ? DEFAULT_PROMETHEUS_PORT : portFlag(flags.prometheus, 'prometheus');
  for (const p of [gatewayPort, statsPort, promPort]) if (typeof p === 'string') problems.push(p);
  if (problems.length > 0 || typeof gatewayPort === 'string' || typeof statsPort === 'string' || typeof promPort === 'string') {
    io.stderr.write(`rampart mocks: invalid settings\n${problems.map((i) => `  - ${i}\n`).join('')}`);
    return EXIT.INVALID;
  }
  // Every instance gets the resolved settings; host, port and services are set per instance.
  const { port: _port, services, ...shared } = config;
  const log = (line: string): void => void io.stderr.write(`rampart mocks: ${line}\n`);
  let topology: Topology | undefined;
  const { startTopology } = await import('../../../mocks/topology/index.js');
  const starting = startTopology({
    instances,
    gatewayPort,
    statsPort,
    host: config.host,
    services,
    config: shared,
    balance: flags.balance as 'roundrobin' | 'leastconn' | undefined,
    prometheus: promPort === undefined ? undefined : { port: promPort },
    env: io.env,
    log,
  });
  // A signal while the instances start stops what has started.
  const unwatch = stopWithParent(io);
  const early = waitForSignal(io).then(async (s) => {
    unwatch();
    await (await starting.catch(() => undefined))?.close();
    return s;
  });
  try {
    topology = await starting;
  } catch (err) {
    unwatch();
    io.stderr.write(`rampart mocks: cannot start the gateway topology: ${(err as Error).message}\n`);
    return EXIT.ENGINE;
  }
  const lines = [`rampart mocks gateway on ${topology.gatewayUrl} (HAProxy pid ${topology.haproxyPid}, ${flags.balance ?? 'roundrobin'})`];
  lines.push(`  stats     ${topology.statsUrl}/stats · Prometheus ${topology.statsUrl}/metrics`);
  for (const i of topology.instances) lines.push(`  ${i.name.padEnd(11)} ${i.url} (pid ${i.pid})`);
  const prom = topology.prometheus;
  if (prom !== undefined) lines.push(`  ${'prometheus'.padEnd(11)} ${prom.url} (pid ${prom.pid}) · scrapes every instance and the gateway each second · rules of deploy/monitoring/rules`);
  lines.push(`  Ctrl-C stops ${prom === undefined ? '' : 'Prometheus, '}the gateway and every instance.`);
  io.stdout.write(`${lines.join('\n')}\n`);
  const signal = await early;
  io.stderr.write(`rampart mocks: ${signal}, stopping ${prom === undefined ? '' : 'Prometheus, '}the gateway and ${topology.instances.length} instances…\n`);
  await topology.close();
  io.stderr.write('rampart mocks: stopped\n');
  return EXIT.OK;
}
