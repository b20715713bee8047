#!/usr/bin/env node
// Thin entry: everything lives in src/cli, compiled to dist/ and bundled into dist/bundle/ (fewer
// files to load at start) by `npm run build`, which `npm ci` runs.
import { EXIT, main } from '../dist/bundle/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = EXIT.ENGINE;
  },
);
