/**
 * `node --import tsx scripts/services/cli.ts up|down|status|fetch` (npm run services -- <command>).
 */
import { down, fetch, status, up } from './commands.js';
import type { CommandContext } from './commands.js';
import { ServiceError } from './errors.js';
import { servicePaths } from './paths.js';
import { EXIT } from '../../src/exit-codes.js';

const USAGE = `usage: npm run services -- <command>

  up        make a Redis and a Kafka broker available on 127.0.0.1 (reuses REDIS_URL /
            KAFKA_BROKERS when they answer); what it starts keeps running and is recorded
            in .cache/services/state.json
  down      stop exactly what up started (SIGTERM, up to 30 s, then SIGKILL)
            --purge also removes the broker's data
  status    where Redis and Kafka are; exit 1 when either is down
  fetch     install java/mvn if missing and permitted, and cache the Kafka broker jars`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const ctx: CommandContext = { paths: servicePaths(), env: process.env, out: (line) => console.log(line) };
  switch (command) {
    case 'up':
      return up(ctx);
    case 'down':
      return down(ctx, rest.includes('--purge'));
    case 'status':
      return status(ctx);
    case 'fetch':
      return fetch(ctx);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? EXIT.INVALID : EXIT.OK;
    default:
      console.error(`unknown command: ${command}\n\n${USAGE}`);
      return EXIT.INVALID;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof ServiceError ? `services: ${err.message}` : err);
    process.exitCode = EXIT.FAILED;
  },
);
