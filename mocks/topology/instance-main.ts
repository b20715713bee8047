/**
 * Process entry of one instance behind the gateway (started by the topology launcher, one process
 * per instance so it can be stopped or killed by pid). Reads its settings as JSON (a
 * MocksConfigInput) from RAMPART_INSTANCE_CONFIG, listens, prints `rampart-instance listening <port>`
 * on stdout, serves until SIGINT/SIGTERM or until its stdin ends (the launcher is gone), drains
 * gracefully and exits 0. Bad settings exit 2; a start failure exits 3.
 */
import { startMocks } from '../server.js';
import type { MocksConfigInput } from '../common/index.js';
import { EXIT } from '../../src/exit-codes.js';

async function main(): Promise<number> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  let config: MocksConfigInput;
  try {
    config = JSON.parse(process.env.RAMPART_INSTANCE_CONFIG ?? '{}') as MocksConfigInput;
  } catch (err) {
    process.stderr.write(`instance: RAMPART_INSTANCE_CONFIG is not JSON: ${(err as Error).message}\n`);
    return EXIT.INVALID;
  }
  let running;
  try {
    running = await startMocks({ config });
  } catch (err) {
    process.stderr.write(`instance: cannot start: ${(err as Error).message}\n`);
    return (err as Error).name === 'MocksConfigError' ? EXIT.INVALID : EXIT.ENGINE;
  }
  process.stdout.write(`rampart-instance listening ${running.port}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    // The launcher holds our stdin open; its end means the launcher is gone: stop too.
    process.stdin.once('end', () => resolve());
    process.stdin.resume();
  });
  // The open stdin would keep this process alive after the drain (until the launcher's SIGKILL).
  process.stdin.destroy();
  await running.close();
  return EXIT.OK;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`instance: ${String((err as Error)?.stack ?? err)}\n`);
    process.exitCode = EXIT.ENGINE;
  },
);
