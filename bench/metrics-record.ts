/**
 * Micro-benchmark of the metrics hot path: ns per handle call, for each metric type, plus the bare
 * histogram implementations hdr.ts chose between. Not a test; run it with
 *
 *   npx tsx bench/metrics-record.ts [samples]      (default 5,000,000 per case)
 */
import * as hdr from 'hdr-histogram-js';
import { createRegistry } from '../src/metrics/index.js';

const n = Number(process.argv[2] ?? 5_000_000);
// Realistic latencies: log-uniform 100 µs … 40 ms, precomputed so the loop only records.
const values = new Float64Array(4096);
for (let i = 0; i < values.length; i++) values[i] = Math.round(100 * Math.exp(Math.random() * 6));

function time(name: string, fn: (v: number) => void): void {
  for (let i = 0; i < 200_000; i++) fn(values[i & 4095] as number); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(values[i & 4095] as number);
  const ns = Number(process.hrtime.bigint() - t0) / n;
  console.log(`${name.padEnd(42)} ${ns.toFixed(1).padStart(7)} ns/op`);
}

const registry = createRegistry();
const trend = registry.trend('http.latency', { step: 'bench', method: 'GET', status: '200' });
const raw = registry.trend('custom.value', { step: 'bench' }, 'raw');
const counter = registry.counter('http.requests', { step: 'bench' });
const rate = registry.rate('http.errors', { step: 'bench' });
const gauge = registry.gauge('vus', {});

console.log(`metrics hot path, ${n.toLocaleString('en')} samples per case, Node ${process.version}`);
time('TrendHandle.record (µs)', (v) => trend.record(v));
time('TrendHandle.record (raw, ×1000)', (v) => raw.record(v / 1000));
time('CounterHandle.add', (v) => counter.add(v & 1));
time('RateHandle.add', (v) => rate.add((v & 1) === 0));
time('GaugeHandle.set', (v) => gauge.set(v));
time('sink.trend(…) lookup + record (anti-pattern)', (v) => registry.trend('http.latency', { step: 'bench', method: 'GET', status: '200' }).record(v));

const config = { autoResize: false, lowestDiscernibleValue: 1, highestTrackableValue: 300_000_000, numberOfSignificantValueDigits: 3 as const };
hdr.initWebAssemblySync();
for (const [name, bitBucketSize, useWebAssembly] of [
  ['bare WebAssembly histogram, 32-bit buckets', 32, true],
  ['bare JavaScript histogram, 32-bit buckets', 32, false],
  ['bare JavaScript histogram, 64-bit buckets', 64, false],
] as const) {
  const h = hdr.build({ ...config, bitBucketSize, useWebAssembly });
  time(name, (v) => h.recordValue(v));
  h.destroy();
}
registry.takeInterval();
registry.dispose();
