#!/usr/bin/env node
// Thin entry: everything lives in src/cli, compiled to dist/ and bundled into dist/bundle/ (fewer
// files to load at start) by `npm run build`, which `npm ci` runs.
//
// First, before anything else is loaded: with one CPU, garbage collection stays on the main thread
// (src/engine/gc-threads.ts; V8 takes these flags safely only while no collection is under way).
import { gcOnMainThreadWithOneCpu } from '../dist/src/engine/gc-threads.js';

const gcOnMainThread = gcOnMainThreadWithOneCpu();
const { EXIT, main, processIo } = await import('../dist/bundle/main.js');

main(process.argv.slice(2), processIo({ gcOnMainThread })).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = EXIT.ENGINE;
  },
);
