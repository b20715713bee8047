/**
 * `rampart` as a real process running the TypeScript sources (what bin/rampart.js does with dist/):
 * tests that send real signals spawn `node --import tsx test/support/cli-process.ts <args>`. Like
 * bin/rampart.js, it keeps garbage collection on the main thread with one CPU before it loads the rest.
 */
import { gcOnMainThreadWithOneCpu } from '../../src/engine/gc-threads.js';

const gcOnMainThread = gcOnMainThreadWithOneCpu();
const { main, processIo } = await import('../../src/cli/main.js');

main(process.argv.slice(2), processIo({ gcOnMainThread })).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 3;
  },
);
