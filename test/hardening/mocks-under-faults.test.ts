/**
 * The bundled mocks under faults, with load driven by rampart itself (`main(['run', …])`): Redis
 * stopped and restarted under load (catalog keeps answering 200 through BYPASS, the hit ratio
 * recovers), Kafka stopped and restarted under load (orders answers 503 fast, every accepted job
 * completes once), and SIGTERM to `rampart mocks` under load (no in-flight request dropped).
 * The outage is switched by the scenario's own phase hooks calling a small control server, so the
 * `phase` tag of every sample says whether it was before, during or after the fault.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import type { Report } from '../../src/report/model.js';
import type { SeriesReport } from '../../src/metrics/types.js';
import { servicePaths, startKafka, startRedis, type KafkaInstance, type RedisInstance } from '../../scripts/services/index.js';
import { startMocks } from '../../mocks/server.js';
import { runCli, scenarioFile } from '../support/run-helpers.js';
import { testRedisUrl } from '../unit/mocks/helpers.js';
import { eventually } from './support.js';

/** A loopback server whose `POST /<name>` runs an action and answers 204 once it is done. */
async function controlServer(actions: Record<string, () => Promise<void>>): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const action = actions[(req.url ?? '').slice(1)];
    if (!action) {
      res.statusCode = 404;
      res.end();
      return;
    }
    action().then(
      () => {
        res.statusCode = 204;
        res.end();
      },
      (err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Sum of `metric` over series having every tag of `tags`. */
function total(report: Report, metric: string, tags: Record<string, string>): number {
  return report.series
    .filter((s: SeriesReport) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v))
    .reduce((n, s) => n + (s.type === 'trend' ? s.count : s.sum), 0);
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe('catalog with Redis stopped under load', () => {
  it('answers 200 through BYPASS during the outage and HITs again after Redis returns', async () => {
    let redis: RedisInstance = await startRedis({ port: 0 });
    const port = redis.port;
    cleanups.push(() => redis.stop());
    const mocks = await startMocks({
      processMetrics: false,
      config: { redisUrl: redis.url, port: 0, services: ['catalog'], logLevel: 'silent', keyPrefix: `rampart:hardening:${randomUUID().slice(0, 8)}:`, catalog: { originLatencyMs: 5 } },
    });
    cleanups.push(() => mocks.close());
    const ctl = await controlServer({
      'redis/stop': () => redis.stop(),
      'redis/start': async () => {
        redis = await startRedis({ port });
      },
    });
    cleanups.push(() => ctl.close());

    const { dir, file } = await scenarioFile(`
name: redis-outage
target: ${mocks.url}
http: { timeout: 3s }
load:
  phases:
    - { name: warm, duration: 3s, rate: 40 }
    - { name: outage, duration: 4s, rate: 40, onStart: [{ post: "${ctl.url}/redis/stop", timeout: 30s }] }
    - { name: back, duration: 5s, rate: 40, onStart: [{ post: "${ctl.url}/redis/start", timeout: 30s }] }
journeys:
  - name: browse
    steps:
      - name: product
        get: "/products/{{ random.int(1, 10) }}"
        expect: { status: 200 }
        check:
          bypass: { header: x-cache, equals: BYPASS }
          hit: { header: x-cache, equals: HIT }
thresholds:
  http.errors: ["rate == 0"]
`);
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--quiet', '--out', out], { cwd: dir });
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(r.code, `${r.stderr}\n${report.warnings.join('\n')}`).toBe(0);
    expect(report.warnings.filter((w) => /onStart|hook/.test(w))).toEqual([]);

    const req = (phase: string): number => total(report, 'http.requests', { phase, step: 'product' });
    /** Fraction of the phase's responses whose x-cache header was `value`. */
    const share = (phase: string, check: 'bypass' | 'hit'): number => {
      const s = report.series.filter((x) => x.metric === 'checks' && x.tags.phase === phase && x.tags.check === check);
      const n = s.reduce((a, x) => a + x.count, 0);
      return n === 0 ? 0 : s.reduce((a, x) => a + x.sum, 0) / n;
    };
    // Every request of every phase answered 200 (the threshold held); the outage is BYPASS, not errors.
    expect(total(report, 'http.errors', {})).toBe(0);
    expect(req('outage')).toBe(160);
    expect(share('outage', 'bypass')).toBeGreaterThan(0.5);
    expect(share('warm', 'bypass')).toBe(0);
    expect(share('warm', 'hit')).toBeGreaterThan(0.5);
    // After Redis returns the cache fills again: most of the last phase are hits.
    expect(share('back', 'hit')).toBeGreaterThan(0.5);
    console.log(`redis outage: HIT warm ${share('warm', 'hit')}, BYPASS outage ${share('outage', 'bypass')}, HIT back ${share('back', 'hit')}`);
  }, 60_000);
});

describe('orders with Kafka stopped under load', () => {
  it('answers 503 fast while the broker is away; every accepted job completes, none twice', async () => {
    mkdirSync(servicePaths().instances, { recursive: true });
    const base = mkdtempSync(join(servicePaths().instances, 'hardening-orders-'));
    const dataDir = join(base, 'data');
    cleanups.push(async () => {
      rmSync(base, { recursive: true, force: true });
      rmSync(`${dataDir}-run`, { recursive: true, force: true });
    });
    let broker: KafkaInstance = await startKafka({ dataDir, heapMb: 256 });
    const { port, controllerPort } = broker;
    cleanups.push(() => broker.stop());
    const id = randomUUID().slice(0, 8);
    const prefix = `rampart:hardening:orders-${id}:`;
    const mocks = await startMocks({
      processMetrics: false,
      config: {
        redisUrl: testRedisUrl(),
        kafkaBrokers: broker.brokers,
        port: 0,
        services: ['orders'],
        logLevel: 'silent',
        keyPrefix: prefix,
        orders: { topic: `rampart.hardening.${id}`, groupId: `rampart-hardening-${id}`, processingMs: 20 },
      },
    });
    cleanups.push(() => mocks.close());
    const ctl = await controlServer({
      'kafka/stop': () => broker.stop(),
      'kafka/start': async () => {
        broker = await startKafka({ dataDir, port, controllerPort, heapMb: 256 });
      },
    });
    cleanups.push(() => ctl.close());

    const { dir, file } = await scenarioFile(`
name: kafka-outage
target: ${mocks.url}
http: { timeout: 5s }
load:
  phases:
    - { name: before, duration: 3s, rate: 10 }
    - { name: outage, duration: 3s, rate: 10, onStart: [{ post: "${ctl.url}/kafka/stop", timeout: 60s }] }
    - { name: back, duration: 6s, rate: 10, onStart: [{ post: "${ctl.url}/kafka/start", timeout: 90s }] }
gracefulStop: 60s
journeys:
  - name: order
    steps:
      - name: place
        post: /orders
        json: { productId: "p-{{ random.int(1, 50) }}", qty: 1 }
        expect: { status: [202, 503], maxLatency: 2s }
        capture: { jobId: { json: $.jobId, optional: true } }
      - if: { value: "{{ default(jobId, '') }}", notEquals: "" }
        then:
          - name: done
            poll: { get: "/orders/{{ jobId }}", until: { json: $.status, equals: done }, every: 250ms, timeout: 45s }
`);
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--quiet', '--out', out], { cwd: dir });
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(r.code, `${r.stderr}\n${report.warnings.join('\n')}`).toBe(0);
    expect(report.warnings.filter((w) => /onStart|hook/.test(w))).toEqual([]);

    const placed = (tags: Record<string, string>): number => total(report, 'http.requests', { step: 'place', ...tags });
    const accepted = placed({ status: '202' });
    const refused = placed({ status: '503' });
    expect(placed({})).toBe(120);
    expect(accepted + refused).toBe(120);
    // The outage phase is all 503s, answered fast (maxLatency held: no iteration failed).
    expect(placed({ phase: 'outage', status: '503' })).toBe(30);
    expect(placed({ phase: 'before', status: '202' })).toBe(30);
    expect(placed({ phase: 'back', status: '202' })).toBeGreaterThan(0);
    const lat503 = report.series.find((s) => s.metric === 'http.latency' && s.tags.step === 'place' && s.tags.status === '503' && s.tags.phase === 'outage');
    expect(lat503?.max ?? Infinity).toBeLessThan(2000);
    // Every accepted job was polled to done; none failed or timed out.
    expect(report.journeys?.[0]).toMatchObject({ failed: 0, interrupted: 0 });
    expect(total(report, 'poll.duration', { step: 'done' })).toBe(accepted);
    // Exactly once: the service counted as many accepted and done as rampart saw 202s.
    const stats = (await (await fetch(`${mocks.url}/orders/stats`)).json()) as { accepted: number; done: number; redelivered?: number };
    expect(stats.accepted).toBe(accepted);
    expect(stats.done).toBe(accepted);
    console.log(`kafka outage: ${accepted} accepted, ${refused} refused (503), 503 max ${lat503?.max} ms; stats ${JSON.stringify(stats)}`);
  }, 240_000);
});

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

describe('SIGTERM to rampart mocks under load', () => {
  it('drains: every request the mocks took is answered; later ones are refused or told 503, none dropped', async () => {
    const stdout = new Capture();
    const stderr = new Capture();
    const signals = new EventEmitter();
    const io: CliIo = { stdout, stderr, env: {}, cwd: process.cwd(), signals };
    const prefix = `rampart:hardening:${randomUUID().slice(0, 8)}:`;
    const mocksDone = main(['mocks', '--port', '0', '--service', 'catalog', '--redis-url', testRedisUrl(), '--key-prefix', prefix, '--log-level', 'silent', '--origin-latency-ms', '300', '--break', 'cache'], io);
    cleanups.push(async () => {
      signals.emit('SIGTERM');
      signals.emit('SIGTERM');
      await mocksDone;
    });
    expect(await eventually(() => /listening on (http:\/\/\S+)/.test(stdout.text), 10_000), stderr.text).toBe(true);
    const url = /listening on (http:\/\/\S+)/.exec(stdout.text)?.[1] as string;

    const { dir, file } = await scenarioFile(`
name: mocks-sigterm
target: ${url}
http: { timeout: 5s }
load:
  phases: [{ name: steady, duration: 5s, rate: 40 }]
# The mocks are stopped mid-run on purpose: the refused requests after the drain are expected.
maxFailures: { journeys: 100%, errors: 100% }
journeys:
  - name: browse
    steps:
      - { name: product, get: "/products/{{ random.int(1, 100) }}" }
`);
    const out = join(dir, 'report.json');
    const run = runCli(['run', file, '--quiet', '--out', out], { cwd: dir });
    // Two seconds of load (about 80 arrivals) before the SIGTERM, counted from the first lookup the
    // catalog served: the run's own start-up and warm-up take a machine-dependent time before it.
    const served = async (): Promise<boolean> => {
      const text = await (await fetch(`${url}/metrics`)).text().catch(() => '');
      return /catalog_cache_lookups_total\{[^}]*\} [1-9]/.test(text);
    };
    expect(await eventually(served, 20_000)).toBe(true);
    await new Promise((res) => setTimeout(res, 2000));
    signals.emit('SIGTERM');
    expect(await mocksDone).toBe(0);
    const r = await run;
    expect(r.code).toBe(0);
    expect(stderr.text).toMatch(/SIGTERM, draining in-flight requests/);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    const by = (tags: Record<string, string>): number => total(report, 'http.requests', { step: 'product', ...tags });
    const classes = [...new Set(report.series.filter((s) => s.metric === 'http.requests' && s.tags.error !== undefined).map((s) => s.tags.error))];
    const resent = total(report, 'http.resent', { step: 'product' });
    console.log(`mocks SIGTERM: ${by({ status: '200' })} × 200, ${by({ status: '503' })} × 503, errors ${JSON.stringify(classes.map((c) => [c, by({ error: c as string })]))}, ${resent} resent`);
    // About 80 requests went out in the 2 s before the signal, each taking 300 ms: a dozen were in flight.
    expect(by({ status: '200' })).toBeGreaterThanOrEqual(70);
    // Nothing was cut: no resets, no timeouts; after the drain connections are refused (or told 503 on a kept-alive socket).
    // A GET written on a kept-alive connection the mocks closed as idle is sent again (http.resent), as clients do.
    expect(classes.filter((c) => c !== 'refused' && c !== '5xx')).toEqual([]);
    expect(by({ error: 'refused' })).toBeGreaterThan(0);
    expect(by({})).toBe(200);
  }, 60_000);
});
