import { Option } from 'commander';
import type { RegisterCommand } from '../main.js';
import type { CliIo } from '../io.js';
import { SERVICE_ROUTES, startMocks } from '../../../mocks/index.js';
import {
  MocksConfigError,
  SETTINGS,
  configFromEnv,
  convertSetting,
  resolveConfig,
  withSetting,
  type MocksConfig,
  type MocksConfigInput,
  type SettingSpec,
} from '../../../mocks/common/index.js';

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

function banner(url: string, config: MocksConfig): string {
  const lines = [`rampart mocks listening on ${url}`];
  for (const s of config.services) lines.push(`  ${s.padEnd(9)} ${SERVICE_ROUTES[s].join(' · ')}`);
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
    .addHelpText('after', '\nSettings come from flags, then environment variables, then defaults. See README "Mock services".');
  for (const s of SETTINGS) cmd.addOption(option(s));
  cmd.action(async (flags: Record<string, unknown>) => {
    let config: MocksConfig;
    try {
      config = resolveConfig(mocksInput(flags, io.env));
    } catch (err) {
      if (!(err instanceof MocksConfigError)) throw err;
      io.stderr.write(`rampart mocks: invalid settings\n${err.issues.map((i) => `  - ${i}\n`).join('')}`);
      setExit(2);
      return;
    }
    let running;
    try {
      running = await startMocks({ config });
    } catch (err) {
      io.stderr.write(`rampart mocks: cannot start on ${config.host}:${config.port}: ${(err as Error).message}\n`);
      setExit(3);
      return;
    }
    io.stdout.write(banner(running.url, config));
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
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
    setExit(0);
  });
};
