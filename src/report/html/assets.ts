/**
 * The chart library inlined into the HTML report: uPlot's browser build (IIFE, defines `uPlot`) and
 * its stylesheet, read from the installed `uplot` package so the report opens without any network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** uPlot's minified browser script and stylesheet. */
export interface ChartAssets {
  readonly script: string;
  readonly css: string;
}

/** Reads uPlot's files from node_modules (about 53 KB). Throws when the package is missing. */
export function loadChartAssets(): ChartAssets {
  const require = createRequire(import.meta.url);
  const script = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return { script, css };
}
