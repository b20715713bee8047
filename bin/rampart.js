#!/usr/bin/env node
// Thin entry: everything lives in src/cli (compiled to dist by `npm run build`, run on `npm ci`).
import { main } from '../dist/src/cli/main.js';
import { EXIT } from '../dist/src/exit-codes.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = EXIT.ENGINE;
  },
);
