import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Command, CommanderError } from 'commander';
import { registerMocks } from '../../src/cli/commands/mocks.js';
import type { CliIo } from '../../src/cli/io.js';
import { MocksFixture, eventually, testRedisUrl } from '../unit/mocks/helpers.js';

const fx = new MocksFixture();
afterEach(() => fx.closeAll());

function fakeIo(env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const signals = new EventEmitter();
  const io: CliIo = { stdout, stderr, env, cwd: process.cwd(), signals };
  return { io, signals, out: () => out, err: () => err };
}

/** Runs `rampart <argv>` with only the mocks command registered (as main does, exit code included). */
async function main(argv: string[], io: CliIo): Promise<number> {
  let code = 0;
  const program = new Command().name('rampart').exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  registerMocks(program, io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return code;
}

describe('rampart mocks', () => {
  it('rejects invalid settings with exit 2 and one line per problem, from flags and env', async () => {
    const t = fakeIo({ CATALOG_ORIGIN_LATENCY_MS: 'slow', REDIS_URL: 'http://x' });
    const code = await main(['mocks', '--port', '70000', '--break', 'cache,nothing', '--service', 'inventory', '--fallback', '500'], t.io);
    expect(code).toBe(2);
    const e = t.err();
    expect(e).toContain('invalid settings');
    expect(e).toContain('port must be an integer in [0, 65535], got 70000');
    expect(e).toContain('breaks must be one of cache, breaker, consumer, got "nothing"');
    expect(e).toContain('services must be one of catalog, orders, payments, got "inventory"');
    expect(e).toContain('payments.fallback must be one of 503, 202, got "500"');
    expect(e).toContain('catalog.originLatencyMs must be an integer');
    expect(e).toContain('redisUrl must be a redis:// or rediss:// URL');
    expect(e).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('starts one service on the given port, serves it, and stops gracefully on SIGTERM with exit 0', async () => {
    const t = fakeIo({ REDIS_URL: testRedisUrl(), MOCKS_KEY_PREFIX: fx.prefix, CATALOG_ORIGIN_LATENCY_MS: '0' });
    const done = main(['mocks', '--service', 'catalog', '--port', '0', '--log-level', 'silent'], t.io);
    await eventually(async () => /listening on (http:\S+)/.test(t.out()), 10_000, 'banner');
    const url = /listening on (http:\S+)/.exec(t.out())?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(t.out()).toContain('catalog');
    expect(t.out()).not.toContain('POST /payments');
    const r = await fetch(`${url}/products/1`);
    expect(r.status).toBe(200);
    expect((await fetch(`${url}/payments`, { method: 'POST' })).status).toBe(404);
    t.signals.emit('SIGTERM');
    expect(await done).toBe(0);
    expect(t.err()).toContain('SIGTERM');
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
  });

  it('exits 3 when the port is taken', async () => {
    const a = fakeIo({ REDIS_URL: testRedisUrl(), MOCKS_KEY_PREFIX: fx.prefix });
    const first = main(['mocks', '--service', 'payments', '--port', '0', '--log-level', 'silent'], a.io);
    await eventually(async () => /listening on http:\/\/127\.0\.0\.1:(\d+)/.test(a.out()), 10_000, 'banner');
    const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(a.out())?.[1] ?? '';
    const b = fakeIo({ REDIS_URL: testRedisUrl(), MOCKS_KEY_PREFIX: fx.prefix });
    expect(await main(['mocks', '--service', 'payments', '--port', port, '--log-level', 'silent'], b.io)).toBe(3);
    expect(b.err()).toMatch(/cannot start on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    a.signals.emit('SIGINT');
    expect(await first).toBe(0);
  });
});
