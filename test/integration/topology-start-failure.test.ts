/**
 * A topology that cannot start (one instance refuses its settings) rejects with that instance's
 * error, and leaves no process behind: the instances that were still starting when it failed are
 * stopped too, not left serving once the error was thrown.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { startTopology } from '../../mocks/topology/index.js';
import { sleep, topologyConfig } from './topology-support.js';

/** Pids of this process's children running the instance entry point. */
function instanceChildren(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' || Number(fields[1]) !== process.pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('instance-main')) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

it.runIf(process.platform === 'linux')('one instance failing to start fails the start and stops the others', async () => {
  expect(instanceChildren()).toEqual([]);
  const start = startTopology({
    instances: 3,
    gatewayPort: 0,
    services: ['catalog'],
    config: topologyConfig({}),
    // Refused by the instance's config validation at once, while the others are still loading.
    instanceConfig: (_service, index) => (index === 2 ? { catalog: { originLatencyMs: -5 } } : undefined),
  });
  await expect(start).rejects.toThrow(/instance catalog-2 exited \(2\) before it was ready: .*originLatencyMs/s);
  // The healthy instances took longer to start than the failing one took to fail.
  await sleep(3000);
  expect(instanceChildren()).toEqual([]);
}, 60_000);
