/** kafkajs probes: does a broker answer, and warming up the group coordinator. */
import { Kafka, logLevel } from 'kafkajs';

function client(brokers: string, timeoutMs: number, retries: number): Kafka {
  return new Kafka({
    clientId: 'rampart-services',
    brokers: brokers.split(',').map((b) => b.trim()).filter((b) => b !== ''),
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    logLevel: logLevel.NOTHING,
    retry: { retries, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
}

/**
 * Whether the brokers (comma-separated `host:port`) answer a kafkajs admin `describeCluster`
 * within about `timeoutMs` (default 2 000 ms). Never throws.
 */
export async function kafkaAnswers(brokers: string, timeoutMs = 2_000): Promise<boolean> {
  if (brokers.trim() === '') return false;
  const admin = client(brokers, timeoutMs, 0).admin();
  let timer: NodeJS.Timeout | undefined;
  try {
    const probe = (async () => {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0;
    })();
    const timeout = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), timeoutMs * 2);
    });
    return await Promise.race([probe.catch(() => false), timeout]);
  } finally {
    if (timer) clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Asks for a throwaway group's coordinator until the broker has one: this creates the
 * `__consumer_offsets` topic, so the first real consumer-group join does not wait for it.
 * @returns whether the coordinator answered within `timeoutMs`
 */
export async function warmUpGroups(brokers: string, timeoutMs = 30_000): Promise<boolean> {
  const admin = client(brokers, 2_000, 0).admin();
  const deadline = Date.now() + timeoutMs;
  try {
    await admin.connect();
    while (Date.now() < deadline) {
      try {
        await admin.describeGroups(['rampart-services-warmup']);
        return true;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return false;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
