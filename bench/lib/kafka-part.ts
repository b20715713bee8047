/**
 * The Kafka part: 1,000 VUs each waiting on a `consume` step while messages arrive at 500/s,
 * rampart pinned to one core. What it measures is the cost of the fan-out (one consumer for the
 * topic, every message handed to the one waiting VU it matches): the generator's event-loop lag
 * p99 (goal < 50 ms), and that every message found its VU.
 *
 * The messages come from this process (a kafkajs producer, 50 every 100 ms), keyed by VU id in
 * turn, so each VU gets one every 2 s. Needs a broker: KAFKA_BROKERS (default 127.0.0.1:9092,
 * e.g. `npm run services -- up`); a fresh topic per run, deleted afterwards.
 */
import { GENERATOR_CPU, rampartCommand } from './generators.js';
import { mark, num, table } from './format.js';
import { cpuUs, delay, spawnBounded } from './proc.js';
import type { PartResult } from './closed-parts.js';

/** Event-loop lag goal: p99 under this, ms. */
export const KAFKA_LAG_GOAL_MS = 50;

interface KafkaReport {
  readonly generator: { readonly eventLoopLagP99Ms: number; readonly eventLoopLagMaxMs: number };
  readonly series: readonly { readonly metric: string; readonly tags: Readonly<Record<string, string>>; readonly count: number; readonly sum: number; readonly p99: number }[];
}

function scenario(o: { brokers: string; topic: string; vus: number; durationS: number }): string {
  return `name: bench-kafka-consume
kafka: { brokers: ["${o.brokers}"], clientId: rampart-bench }
load: { vus: ${o.vus}, duration: ${o.durationS}s }
gracefulStop: 3s
journeys:
  - name: wait
    steps:
      - name: wait
        kafka: { consume: { topic: ${o.topic}, until: { key: "{{ vu.id }}" }, timeout: 10s } }
thresholds:
  kafka.errors: ["rate <= 100%"]
`;
}

/**
 * The same 1,000 VUs waiting on a 2 s `think` instead (no Kafka): the event-loop lag of the
 * process on this machine at that moment, beside which the consume run's lag is read.
 */
async function thinkBaseline(o: { root: string; rampart: string; vus: number; durationS: number }): Promise<number> {
  const g = rampartCommand(o.rampart, 'rampart think', `name: bench-think\nload: { vus: ${o.vus}, duration: ${o.durationS}s }\ngracefulStop: 3s\njourneys:\n  - name: wait\n    steps:\n      - think: 2s\n`, 'http://127.0.0.1:1');
  const proc = spawnBounded(g.cmd, g.args, { cpu: GENERATOR_CPU, cwd: o.root, timeoutMs: (o.durationS + 60) * 1000 });
  try {
    await proc.exited;
    const report = g.parse(proc.out()).report as unknown as KafkaReport | undefined;
    return report?.generator.eventLoopLagP99Ms ?? NaN;
  } finally {
    g.cleanup?.();
  }
}

export async function kafkaConsumePart(o: { root: string; rampart: string; vus: number; rate: number; durationS: number; log: (l: string) => void }): Promise<PartResult> {
  const brokers = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
  const topic = `rampart.bench.consume-${Date.now()}`;
  o.log(`kafka: ${num(o.vus)} VUs waiting on a consume step, ${o.rate} messages/s for ${o.durationS} s (${brokers}, topic ${topic})`);
  const { Kafka, Partitioners, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'rampart-bench-producer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const g = rampartCommand(o.rampart, 'rampart kafka', scenario({ brokers, topic, vus: o.vus, durationS: o.durationS }), 'http://127.0.0.1:1');
  const proc = spawnBounded(g.cmd, g.args, { cpu: GENERATOR_CPU, cwd: o.root, timeoutMs: (o.durationS + 60) * 1000 });
  let sent = 0;
  try {
    // Messages start once rampart's consumer can be there (its start reads offsets, then joins).
    await delay(3000);
    const perTick = o.rate / 10;
    const t0 = Date.now();
    const cpu0 = cpuUs(proc.pid);
    let tick = 0;
    let exited = false;
    void proc.exited.then(() => (exited = true));
    while (!exited && Date.now() - t0 < (o.durationS - 1) * 1000) {
      const messages = Array.from({ length: perTick }, () => ({ key: String((sent++ % o.vus) + 1), value: '{"bench":true}' }));
      await producer.send({ topic, messages });
      tick++;
      const wait = t0 + tick * 100 - Date.now();
      if (wait > 0) await delay(wait);
    }
    const cpuMs = (cpuUs(proc.pid) - cpu0) / 1000;
    const wallMs = Date.now() - t0;
    const exit = await proc.exited;
    const parsed = g.parse(proc.out());
    const report = parsed.report as unknown as KafkaReport | undefined;
    if (report === undefined) throw new Error(`rampart wrote no report (exit ${exit}): ${proc.err().slice(0, 500)}`);
    const sum = (metric: string, f: (s: KafkaReport['series'][number]) => number, tags: Record<string, string> = {}): number =>
      report.series.filter((s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v)).reduce((n, s) => n + f(s), 0);
    const matched = sum('kafka.latency', (s) => s.count);
    const timeouts = sum('kafka.errors', (s) => s.sum, { error: 'timeout' });
    const lag = report.generator.eventLoopLagP99Ms;
    const base = await thinkBaseline({ ...o, durationS: Math.min(o.durationS, 8) });
    o.log(`  sent ${num(sent)}, matched ${num(matched)}, timeouts ${num(timeouts)}, event-loop lag p99 ${num(lag, 1)} ms (max ${num(report.generator.eventLoopLagMaxMs, 1)}; the same VUs on a 2 s think: ${num(base, 1)} ms), CPU ${num((cpuMs / wallMs) * 100)} %`);
    const ok = lag < KAFKA_LAG_GOAL_MS;
    const markdown = [
      `### Kafka: ${num(o.vus)} VUs waiting on a consume step, ${o.rate} messages/s, one core`,
      '',
      table(
        ['VUs', 'messages sent', 'matched by a VU', 'timeouts', 'event-loop lag p99', 'lag max', 'lag p99, same VUs on a 2 s think', 'CPU (one core)'],
        [[num(o.vus), num(sent), num(matched), num(timeouts), `${num(lag, 1)} ms`, `${num(report.generator.eventLoopLagMaxMs, 1)} ms`, `${num(base, 1)} ms`, `${num((cpuMs / wallMs) * 100)} %`]],
      ),
      '',
      `Event-loop lag p99 ${num(lag, 1)} ms (goal < ${KAFKA_LAG_GOAL_MS} ms ${mark(ok)}). Messages sent in the last second may still be in flight when the load ends, and ` +
        `a VU's last wait may end with the run (interrupted, not counted).`,
    ].join('\n');
    return { markdown, data: { vus: o.vus, rate: o.rate, sent, matched, timeouts, lagP99Ms: lag, lagMaxMs: report.generator.eventLoopLagMaxMs, thinkLagP99Ms: base, cpuShare: cpuMs / wallMs, topic } };
  } finally {
    if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    g.cleanup?.();
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
