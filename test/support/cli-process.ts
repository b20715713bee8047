/**
 * `rampart` as a real process running the TypeScript sources (what bin/rampart.js does with dist/):
 * tests that send real signals spawn `node --import tsx test/support/cli-process.ts <args>`.
 */
import { main } from '../../src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 3;
  },
);
